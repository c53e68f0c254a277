"""What the challenges app holds about a member: the challenges they follow and their invitations
(registered with core.personal_data from ChallengesConfig.ready())."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.personal_data import Former, Section, register

from .models import Challenge, ChallengeFollow, ChallengeInvitation


def _invitations(member, emails):
    addressed = Q(accepted_by=member)
    for email in emails:
        addressed |= Q(email__iexact=email)
    return ChallengeInvitation.objects.filter(addressed)


def export_challenges(member) -> dict:
    follows = ChallengeFollow.objects.filter(user=member).select_related("challenge").order_by("created_at", "pk")
    emails = [member.email] if member.email else []
    invitations = _invitations(member, emails).select_related("challenge").order_by("created_at", "pk")
    return {
        "challenges_followed": [{"challenge": f.challenge.title, "since": f.created_at} for f in follows],
        "invitations_received": [
            {
                "challenge": invitation.challenge.title,
                "email": invitation.email,
                "sent_at": invitation.sent_at,
                "accepted_at": invitation.accepted_at,
            }
            for invitation in invitations
        ],
        "invited_to": list(
            Challenge.objects.filter(invited_members=member).order_by("pk").values_list("title", flat=True)
        ),
    }


def erase(member, former: Former) -> None:
    """Follows and the invitations addressed to the member go (they carry the address); the
    invitations the member sent as staff stay, signed by the emptied row."""
    ChallengeFollow.objects.filter(user=member).delete()
    _invitations(member, former.emails).delete()
    Challenge.invited_members.through.objects.filter(user_id=member.pk).delete()


def register_sections() -> None:
    register(
        Section(
            key="challenges",
            label=_("The challenges you follow and your invitations"),
            export=export_challenges,
            erase=erase,
            order=30,
        )
    )
