"""Co-authors of an idea: the main author invites (by email or from the members), the invited
member accepts or declines, the main author removes (or a co-author leaves).

An accepted co-author edits the idea, answers its mentor, hears what the author hears and shares
the idea's reputation awards, each once (``reputation.services`` keys awards per member). The idea's
``author`` stays its main author: withdrawing the idea and choosing its co-authors stay theirs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.email import email_message
from reputation.services import idea_awards_share

from .. import notification_kinds as notify
from .. import rules
from ..models import Idea, IdeaCoauthor
from .errors import IdeaError
from .follows import idea_follow

if TYPE_CHECKING:
    from accounts.models import User
    from accounts.types import Visitor

__all__ = [
    "CoauthorNotAllowed",
    "coauthor_accept",
    "coauthor_decline",
    "coauthor_invitation_get",
    "coauthor_invitation_send",
    "coauthor_invitation_token",
    "coauthor_invite",
    "coauthor_remove",
]

# An invitation's link works for this long (and only while the invitation is open).
INVITATION_MAX_AGE_DAYS = 30
_TOKEN_SALT = "ideas.coauthor-invitation"
LIVE = (IdeaCoauthor.State.INVITED, IdeaCoauthor.State.ACCEPTED)


class CoauthorNotAllowed(IdeaError):
    pass


def coauthor_invitation_token(coauthorship: IdeaCoauthor) -> str:
    """The signed token of the invitation's link: its id and the address or member it is for, so a
    token cannot be made for another invitation and stops working once the invitation is answered."""
    return signing.dumps({"c": coauthorship.pk, "u": coauthorship.user_id, "e": coauthorship.email}, salt=_TOKEN_SALT)


def coauthor_invitation_get(token: str) -> IdeaCoauthor:
    """The invitation a link's token names; raises IdeaCoauthor.DoesNotExist for a bad, expired or
    tampered token, or one whose invitation is gone."""
    try:
        data = signing.loads(token, salt=_TOKEN_SALT, max_age=INVITATION_MAX_AGE_DAYS * 86400)
    except signing.BadSignature:
        raise IdeaCoauthor.DoesNotExist from None
    coauthorship = (
        IdeaCoauthor.objects.select_related("idea__challenge", "idea__author", "invited_by")
        .filter(pk=data.get("c"))
        .first()
    )
    if coauthorship is None or coauthorship.email != data.get("e"):
        raise IdeaCoauthor.DoesNotExist
    if data.get("u") is not None and coauthorship.user_id != data.get("u"):
        raise IdeaCoauthor.DoesNotExist
    return coauthorship


def _member_with_verified_email(email: str) -> User | None:
    return (
        get_user_model()
        .objects.filter(emailaddress__email__iexact=email, emailaddress__verified=True, is_active=True)
        .first()
    )


@transaction.atomic
def coauthor_invite(*, idea: Idea, by: User, email: str = "", member: User | None = None) -> IdeaCoauthor:
    """The main author invites a co-author, by email address or a member chosen by name; raises
    CoauthorNotAllowed with the reason. Holds the idea's row lock so the limit of co-authors holds.

    An address that a member confirmed invites that member (they are told in the portal and by
    email); another address gets an email with the link. The invitation's address is never shown to
    anyone but the main author who typed it.
    """
    idea = Idea.objects.select_for_update(of=("self",)).select_related("challenge").get(pk=idea.pk)
    refusal = rules.coauthors_manage_refusal(by, idea)
    if refusal:
        raise CoauthorNotAllowed(refusal)
    email = (email or "").strip().lower()
    if member is None and not email:
        raise CoauthorNotAllowed(_("Give the co-author's email address, or choose a member."))
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise CoauthorNotAllowed(_("“%(email)s” is not an email address.") % {"email": email}) from None
        member = _member_with_verified_email(email)
    if member is not None:
        if member.pk == idea.author_id:
            raise CoauthorNotAllowed(_("You are the idea's main author already."))
        if not member.is_active or getattr(member, "erased_at", None):
            raise CoauthorNotAllowed(_("This member cannot be invited."))
    elif email == (by.email or "").lower():
        raise CoauthorNotAllowed(_("You are the idea's main author already."))
    live = IdeaCoauthor.objects.filter(idea=idea, status__in=LIVE)
    if live.count() >= rules.COAUTHORS_MAX:
        raise CoauthorNotAllowed(_("An idea can have at most %(limit)d co-authors.") % {"limit": rules.COAUTHORS_MAX})
    if member is not None and live.filter(user=member).exists():
        raise CoauthorNotAllowed(_("%(name)s is already a co-author or invited.") % {"name": member.public_name})
    if email and live.filter(email__iexact=email).exists():
        raise CoauthorNotAllowed(_("This address is already invited."))
    try:
        with transaction.atomic():
            coauthorship = IdeaCoauthor.objects.create(idea=idea, user=member, email=email, invited_by=by)
    except IntegrityError:
        raise CoauthorNotAllowed(_("This co-author is already invited.")) from None
    if member is not None:
        notify.coauthor_invited(coauthorship)
    else:
        from ..tasks import send_coauthor_invitation  # the tasks import these services

        send_coauthor_invitation.delay_on_commit(coauthorship.pk)
    return coauthorship


@transaction.atomic
def coauthor_invitation_send(*, coauthor_id: int) -> bool:
    """Email an invitation to an address without a member its link, once; whether it was sent.

    Holds the invitation's row lock while it sends and marks it (as challenge invitations do), so two
    runs of the task send one email between them; a failed send rolls back and the retry sends it.
    """
    coauthorship = (
        IdeaCoauthor.objects.select_for_update(of=("self",))
        .select_related("idea__author", "idea__challenge")
        .filter(pk=coauthor_id)
        .first()
    )
    if coauthorship is None or coauthorship.sent_at is not None or coauthorship.status != IdeaCoauthor.State.INVITED:
        return False
    if not coauthorship.email:
        return False
    idea = coauthorship.idea
    url = settings.SITE_URL.rstrip("/") + reverse(
        "ideas:coauthor_invitation", kwargs={"token": coauthor_invitation_token(coauthorship)}
    )
    # The address has no member yet, so no language of its own: the site's language.
    with translation.override(settings.LANGUAGE_CODE):
        message = email_message(
            to=coauthorship.email,
            subject=_("%(name)s invites you to co-author an idea") % {"name": idea.author.public_name},
            template="ideas/email/coauthor_invitation",
            context={
                "idea": idea,
                "inviter": idea.author.public_name,
                "invitation_url": url,
                "days": INVITATION_MAX_AGE_DAYS,
            },
            headers={"X-Idea-Coauthor-Invitation": str(coauthorship.pk)},
        )
    message.send()
    coauthorship.sent_at = timezone.now()
    coauthorship.save(update_fields=["sent_at"])
    return True


def _locked(coauthorship: IdeaCoauthor) -> IdeaCoauthor:
    return (
        IdeaCoauthor.objects.select_for_update(of=("self",))
        .select_related("idea__challenge", "idea__author")
        .get(pk=coauthorship.pk)
    )


@transaction.atomic
def coauthor_accept(*, coauthorship: IdeaCoauthor, user: User) -> IdeaCoauthor:
    """The invited member accepts (a POST from the invitation's page): they become a co-author, follow
    the idea and receive the awards the idea has earned already, once each. Under the invitation's
    row lock, so two clicks accept once; accepting again changes nothing."""
    coauthorship = _locked(coauthorship)
    if not rules.is_coauthor_invitee(user, coauthorship):
        raise CoauthorNotAllowed(
            _(
                "This invitation is for someone else. Sign in with the account it was sent to "
                "(and confirm that email address if you have not yet) to answer it."
            )
        )
    if coauthorship.status == IdeaCoauthor.State.ACCEPTED:
        return coauthorship
    if coauthorship.status != IdeaCoauthor.State.INVITED:
        raise CoauthorNotAllowed(_("This invitation is no longer open: ask the idea's author for a new one."))
    idea = coauthorship.idea
    if idea.author_id == user.pk:
        raise CoauthorNotAllowed(_("You are the idea's main author already."))
    if IdeaCoauthor.objects.filter(idea=idea, user=user, status=IdeaCoauthor.State.ACCEPTED).exists():
        raise CoauthorNotAllowed(_("You are a co-author of this idea already."))
    # Invited twice (by name and by address): this answer settles both.
    IdeaCoauthor.objects.filter(idea=idea, user=user, status=IdeaCoauthor.State.INVITED).exclude(
        pk=coauthorship.pk
    ).update(status=IdeaCoauthor.State.REMOVED, responded_at=timezone.now())
    coauthorship.user = user
    coauthorship.status = IdeaCoauthor.State.ACCEPTED
    coauthorship.responded_at = timezone.now()
    coauthorship.save(update_fields=["user", "status", "responded_at"])
    idea_follow(user=user, idea=idea)
    idea_awards_share(idea=idea, member=user)
    notify.coauthor_answered(coauthorship)
    return coauthorship


@transaction.atomic
def coauthor_decline(*, coauthorship: IdeaCoauthor, user: User) -> IdeaCoauthor:
    """The invited member declines; the main author is told. Declining twice changes nothing."""
    coauthorship = _locked(coauthorship)
    if not rules.is_coauthor_invitee(user, coauthorship):
        raise CoauthorNotAllowed(_("This invitation is for someone else."))
    if coauthorship.status == IdeaCoauthor.State.DECLINED:
        return coauthorship
    if coauthorship.status != IdeaCoauthor.State.INVITED:
        raise CoauthorNotAllowed(_("This invitation is no longer open."))
    coauthorship.status = IdeaCoauthor.State.DECLINED
    coauthorship.responded_at = timezone.now()
    coauthorship.save(update_fields=["status", "responded_at"])
    notify.coauthor_answered(coauthorship)
    return coauthorship


@transaction.atomic
def coauthor_remove(*, coauthorship: IdeaCoauthor, by: Visitor) -> IdeaCoauthor:
    """The main author removes a co-author or takes an invitation back; a co-author may also leave.

    The points they earned with the idea stay theirs (the ledger is append-only); they earn no more.
    """
    coauthorship = _locked(coauthorship)
    refusal = rules.coauthor_leave_refusal(by, coauthorship)
    if refusal:
        raise CoauthorNotAllowed(refusal)
    coauthorship.status = IdeaCoauthor.State.REMOVED
    coauthorship.responded_at = timezone.now()
    coauthorship.save(update_fields=["status", "responded_at"])
    return coauthorship
