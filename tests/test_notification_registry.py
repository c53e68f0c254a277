"""The notification registry: the notifications app knows no domain app; the apps register their kinds."""

import ast
from pathlib import Path

import pytest
from django.urls import reverse

from notifications import registry
from notifications.models import Delivery, Kind
from tests.notification_kinds import Kind as Kinds

ROOT = Path(__file__).resolve().parent.parent
DOMAIN_APPS = {"challenges", "ideas", "scoring", "reviews", "reputation", "innovators", "metrics", "baseline"}


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):  # function-level imports count too
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def test_the_notifications_app_imports_no_domain_app():
    offenders = {
        (str(path.relative_to(ROOT)), module)
        for path in (ROOT / "notifications").rglob("*.py")
        for module in imported_modules(path)
        if module.split(".")[0] in DOMAIN_APPS
    }
    assert offenders == set()


def test_every_kind_is_registered_once_by_its_app_in_the_preferences_order():
    keys = [kind.key for kind in registry.kinds()]
    assert keys == Kinds.values
    assert all(kind.label and kind.default_delivery in Delivery.values for kind in registry.kinds())
    assert Kind(Kinds.MY_IDEA_STATUS).label == "Decision on my idea"
    with pytest.raises(ValueError):
        Kind("no_such_kind")


def test_registering_a_key_again_differently_is_refused_and_the_same_again_is_harmless():
    existing = registry.get(Kinds.COMMENT_REPLY)
    assert registry.register(existing) is existing
    with pytest.raises(ValueError, match="registered twice"):
        registry.register(registry.NotificationKind(Kinds.COMMENT_REPLY, "Other", Delivery.OFF, order=1))


def test_the_author_can_choose_how_to_hear_of_decisions_on_their_own_idea(client_for, customer):
    page = client_for(customer).get(reverse("notifications:preferences")).content.decode()
    assert "Decision on my idea" in page
    assert "Ideas overdue for a first answer" not in page  # offered to triage staff only
