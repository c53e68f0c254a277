"""Helpers for posting the forms that change an idea's state: they carry the statuses they were opened with."""

from ideas.forms_admin import expected_statuses_encode
from ideas.models import Idea


def expected_for(*ideas) -> str:
    """The hidden ``expected_status`` value a page opened now would carry for these ideas (read afresh)."""
    flat = [idea for item in ideas for idea in (item if isinstance(item, (list, tuple)) else [item])]
    return expected_statuses_encode(Idea.objects.filter(pk__in=[idea.pk for idea in flat]).order_by("pk"))
