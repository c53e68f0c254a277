"""What the reputation app holds about a member: their points ledger and totals (registered with
core.personal_data from ReputationConfig.ready())."""

from django.utils.translation import gettext_lazy as _

from core.personal_data import Former, Section, register

from .models import ReputationEvent, ReputationTotal


def export_reputation(member) -> dict:
    total = ReputationTotal.objects.filter(user=member).first()
    events = ReputationEvent.objects.filter(user=member).select_related("challenge").order_by("created_at", "pk")
    return {
        "points": total.points if total else 0,
        "tier": total.get_tier_display() if total else None,
        "events": [
            {
                "kind": event.get_kind_display(),
                "points": event.points,
                "challenge": event.challenge.title if event.challenge else None,
                "at": event.created_at,
            }
            for event in events
        ],
    }


def erase(member, former: Former) -> None:
    """Points belong to a person: the ledger and totals go, so leaderboards and ranks drop them."""
    ReputationEvent.objects.filter(user=member).delete()
    ReputationTotal.objects.filter(user=member).delete()


def register_sections() -> None:
    register(
        Section(
            key="reputation",
            label=_("Your points and how you earned them"),
            export=export_reputation,
            erase=erase,
            order=60,
        )
    )
