"""Read queries for challenge pages."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from accounts.rules import is_triage
from ideas.models import Status

from .models import Challenge


def challenge_visible_to(user) -> QuerySet[Challenge]:
    """The challenges a user may see: the SQL twin of ``rules.can_view_challenge``."""
    challenges = Challenge.objects.all()
    if is_triage(user):
        return challenges
    visible = Q(visibility=Challenge.Visibility.PUBLIC)
    if user.is_authenticated:
        invited = Challenge.invited_members.through.objects.filter(challenge_id=OuterRef("pk"), user_id=user.pk)
        visible |= Q(Exists(invited))
    return challenges.listed().filter(visible)


def challenge_list_for(user) -> QuerySet[Challenge]:
    """Challenges the user may see, with the number of published ideas each has."""
    return challenge_visible_to(user).annotate(idea_count=Count("ideas", filter=~Q(ideas__status=Status.DRAFT)))


def challenge_open_list_for(user) -> QuerySet[Challenge]:
    return challenge_list_for(user).filter(phase=Challenge.Phase.OPEN)


def challenge_detail(*, slug: str) -> Challenge:
    """The challenge with what its page shows; raises Challenge.DoesNotExist."""
    return Challenge.objects.prefetch_related("criteria", "outcomes__job").get(slug=slug)
