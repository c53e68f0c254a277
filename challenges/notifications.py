"""Emails about challenges. Sends are keyed on the database row, so a retried task never sends twice."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.language import language_for
from core.email import email_message

from .models import Challenge, ChallengeInvitation


@transaction.atomic
def challenge_invitation_send(*, invitation_id: int) -> bool:
    """Email one invitation its link, once. Returns whether an email was sent.

    Holds the invitation's row lock while it sends and marks it sent, so two runs of the task (a
    retry, a redelivery after a worker died) send one email between them; if the send fails the
    transaction rolls back and the row stays unsent for the retry. The email goes to the invited
    address only. An invitation to a challenge still in draft waits: it is queued again when staff
    open the challenge (``services._phase_changed``).
    """
    invitation = (
        ChallengeInvitation.objects.select_for_update(of=("self",))
        .select_related("challenge", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or invitation.sent_at is not None or invitation.accepted_at is not None:
        return False  # gone, sent, or already used (the link reached them another way)
    challenge = invitation.challenge
    if challenge.phase == Challenge.Phase.DRAFT:
        return False
    context = {
        "invitation": invitation,
        "challenge": challenge,
        "inviter": invitation.invited_by.public_name if invitation.invited_by else "",
        "invitation_url": settings.SITE_URL.rstrip("/")
        + reverse("challenges:invitation", kwargs={"token": invitation.token}),
    }
    with translation.override(_invitee_language(invitation.email, challenge)):
        if challenge.is_invite_only:
            subject = gettext("You are invited to the private challenge “%(title)s”") % {"title": challenge.title}
        else:
            subject = gettext("You are invited to the challenge “%(title)s”") % {"title": challenge.title}
        message = email_message(
            to=invitation.email,
            subject=subject,
            template="challenges/email/invitation",
            context=context,
            headers={"X-Challenge-Invitation": str(invitation.pk)},
        )
    message.send()
    invitation.sent_at = timezone.now()
    invitation.save(update_fields=["sent_at"])
    return True


def _invitee_language(email: str, challenge: Challenge) -> str:
    """The language of the invited member, if the address has an account; else the challenge's, else the site's."""
    member = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
    if member is not None and member.language:
        return language_for(member)
    return challenge.language or settings.LANGUAGE_CODE
