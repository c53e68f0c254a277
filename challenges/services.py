"""Every write the product makes to challenges: phases and invitations."""

from __future__ import annotations

import datetime
import logging
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.formats import number_format
from django.utils.translation import gettext

from accounts.rules import is_triage
from audit.services import audit_record
from core.errors import DomainError

from . import notification_kinds as notify
from . import rules, selectors
from .models import Announcement, Challenge, ChallengeFollow, ChallengeInvitation
from .phases import phase_in_sentence

if TYPE_CHECKING:
    from accounts.models import User


logger = logging.getLogger(__name__)

# How many addresses one paste may invite: a guard against pasting a whole mailing list by mistake.
MAX_INVITATIONS_AT_ONCE = 500


class ChallengeError(DomainError):
    """A refused action on a challenge; the message is for the person who tried it."""


class FollowNotAllowed(ChallengeError):
    pass


class PhaseChangeNotAllowed(ChallengeError):
    def __init__(self, message: str, *, answer_url: str = ""):
        super().__init__(message)
        self.answer_url = answer_url  # where staff can fix it (the page answering a challenge's open ideas)


class InvitationError(ChallengeError):
    pass


class InvalidEmails(InvitationError):
    """Some pasted addresses are not email addresses; ``problems`` names each, by line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(" ".join(problems))


class InvitationUsed(InvitationError):
    pass


class InvitationNotYours(InvitationError):
    pass


# --- Phases -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CloseRefusal:
    """Why a challenge may not close yet (ideas still waiting for an ending), and the page that answers them."""

    message: str
    answer_url: str = ""


# Checks that must pass before a challenge closes, filled by the apps above (reviews: every idea has
# an ending) in their AppConfig.ready(): challenges knows nothing of the funnel.
_CLOSE_GUARDS: list[Callable[[Challenge], CloseRefusal | None]] = []


def challenge_close_guard_register(guard: Callable[[Challenge], CloseRefusal | None]) -> None:
    if guard not in _CLOSE_GUARDS:
        _CLOSE_GUARDS.append(guard)


def challenge_close_refusal(challenge: Challenge) -> CloseRefusal | None:
    """The first reason the challenge may not close now, or None."""
    for guard in _CLOSE_GUARDS:
        refusal = guard(challenge)
        if refusal is not None:
            return refusal
    return None


@dataclass(frozen=True)
class PhaseChange:
    challenge_id: int
    from_phase: str
    to_phase: str
    changed_by_id: int | None = None  # None: the scheduler, by the dates


def _phase_changed(*, challenge: Challenge, change: PhaseChange) -> None:
    """What follows a phase change, inside its transaction and under the challenge's row lock.

    Queue work here with ``delay_on_commit`` so nothing leaves before the change is committed.
    - Invitations written while the challenge was a draft go out once it opens (their sends wait).
    - HOOK: tell the challenge's followers (``ChallengeFollow``) about the new phase here: one task per
      change, keyed on a row so a retry never sends twice, like ``notifications.challenge_invitation_send``.
    """
    from .tasks import send_challenge_invitation

    notify.phase_changed(challenge=challenge, change=change)
    if change.from_phase == Challenge.Phase.DRAFT:
        waiting = ChallengeInvitation.objects.filter(challenge=challenge, sent_at__isnull=True)
        for invitation_id in waiting.values_list("pk", flat=True):
            send_challenge_invitation.delay_on_commit(invitation_id)


def _phase_write_unlocked(challenge: Challenge, to_phase: str, *, changed_by=None) -> PhaseChange:
    """Write the new phase; the caller holds the challenge's row lock. Closing asks the close guards first."""
    if to_phase == Challenge.Phase.CLOSED:
        refusal = challenge_close_refusal(challenge)
        if refusal is not None:
            raise PhaseChangeNotAllowed(refusal.message, answer_url=refusal.answer_url)
    change = PhaseChange(
        challenge_id=challenge.pk,
        from_phase=challenge.phase,
        to_phase=to_phase,
        changed_by_id=changed_by.pk if changed_by is not None else None,
    )
    challenge.phase = to_phase
    challenge.save(update_fields=["phase"])
    _phase_changed(challenge=challenge, change=change)
    return change


@transaction.atomic
def challenge_phase_advance(*, challenge_id: int, today: datetime.date | None = None) -> PhaseChange | None:
    """Move one challenge forward to the furthest phase whose start date is today or earlier.

    Possibly several steps at once (open → mentoring when both later dates passed); never backwards,
    never out of draft: staff open a draft by hand when it is ready (``challenge_phase_set``), since a
    date alone does not say the brief and criteria are finished. Holds the challenge's row lock
    (SELECT … FOR UPDATE) while it reads and writes the phase, so two runs (beat ticks, a redelivered
    task) or a staff change at the same moment never interleave: the second run finds nothing to do.
    Returns the change, or None if there was none (gone, draft, or not due). A challenge due to
    close while some of its ideas have no ending stops at final instead ("results pending").
    """
    today = today or timezone.localdate()
    challenge = Challenge.objects.select_for_update().filter(pk=challenge_id).first()
    if challenge is None or challenge.phase == Challenge.Phase.DRAFT:
        return None
    target = selectors.phase_by_dates(challenge, today=today)
    if target == Challenge.Phase.CLOSED:
        refusal = challenge_close_refusal(challenge)
        if refusal is not None:
            # Results pending: the dates say closed, but some ideas have no ending yet. It waits in the
            # phase before (final); staff see why on the challenge's admin page and close it by hand
            # after answering them. The next run finds nothing to do until then.
            logger.warning("Challenge %s is due to close but waits: %s", challenge.pk, refusal.message)
            target = Challenge.PHASE_ORDER[Challenge.PHASE_ORDER.index(Challenge.Phase.CLOSED) - 1]
            if selectors.phase_index(target) <= selectors.phase_index(challenge.phase):
                return None
    if target == challenge.phase:
        return None
    return _phase_write_unlocked(challenge, target)


def challenge_phase_advance_due(*, today: datetime.date | None = None) -> list[PhaseChange]:
    """Move every challenge whose dates passed, each in its own transaction under its own lock.

    The beat task does the same by fanning out one task per challenge; this is for callers that
    want it done in one go (a management shell, the tests).
    """
    today = today or timezone.localdate()
    changes = [
        challenge_phase_advance(challenge_id=pk, today=today) for pk in selectors.challenge_ids_phase_due(today=today)
    ]
    return [change for change in changes if change is not None]


@transaction.atomic
def challenge_phase_set(
    *, challenge: Challenge, phase: str, changed_by: User, today: datetime.date | None = None
) -> PhaseChange:
    """Staff move a challenge to a phase (usually the next one). Raises PhaseChangeNotAllowed, changing nothing:

    - for anyone but triage staff;
    - from closed: a closed challenge stays closed, its results announced (nothing goes past closed);
    - back to draft: its ideas and members would vanish;
    - back to a phase its dates have already left: the scheduler would move it on again; change the
      dates first.
    Holds the challenge's row lock, like ``challenge_phase_advance``: a double click moves it once
    (the second finds it already there).
    """
    today = today or timezone.localdate()
    if not rules.can_change_phase(changed_by):
        raise PhaseChangeNotAllowed(gettext("Only triage staff can move a challenge to another phase."))
    challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
    current = challenge.phase
    if current == Challenge.Phase.CLOSED:
        raise PhaseChangeNotAllowed(
            gettext("“%(title)s” is closed: a closed challenge stays closed, with its results as announced.")
            % {"title": challenge.title}
        )
    if phase not in Challenge.PHASE_ORDER:
        raise PhaseChangeNotAllowed(gettext("There is no phase “%(phase)s”.") % {"phase": phase})
    label = phase_in_sentence(phase)
    if phase == current:
        raise PhaseChangeNotAllowed(
            gettext("“%(title)s” is already %(phase)s.") % {"title": challenge.title, "phase": label}
        )
    if phase == Challenge.Phase.DRAFT:
        raise PhaseChangeNotAllowed(
            gettext("“%(title)s” has been open to customers: it cannot go back to draft, or its ideas would vanish.")
            % {"title": challenge.title}
        )
    if selectors.phase_index(phase) < selectors.phase_index(current):
        by_dates = selectors.phase_by_dates(challenge, today=today, start=phase)
        if by_dates != phase:
            starts = getattr(challenge, selectors.PHASE_START_FIELDS[by_dates])
            raise PhaseChangeNotAllowed(
                gettext(
                    "“%(title)s” cannot go back to %(phase)s: its timeline says “%(by_dates)s” "
                    "from %(date)s, so it would be moved on again. Change the dates first."
                )
                % {
                    "title": challenge.title,
                    "phase": label,
                    "by_dates": phase_in_sentence(by_dates),
                    "date": date_format(starts, "j M Y"),
                }
            )
    change = _phase_write_unlocked(challenge, phase, changed_by=changed_by)
    audit_record(
        actor=changed_by,
        action="challenge.phase_changed",
        target=challenge,
        before={"phase": current},
        after={"phase": phase},
    )
    return change


# --- Invitations ------------------------------------------------------------------------------


def invitation_emails_clean(lines: Iterable[str]) -> list[str]:
    """The addresses of a paste, one a line: stripped, blank lines skipped, repeats dropped (ignoring case).

    Raises InvalidEmails naming every line that is not an email address, so staff fix them all at once.
    """
    emails: list[str] = []
    seen: set[str] = set()
    problems: list[str] = []
    for number, line in enumerate(lines, start=1):
        email = line.strip().strip(",;").strip()
        if not email:
            continue
        try:
            validate_email(email)
            if len(email) > cast(int, ChallengeInvitation._meta.get_field("email").max_length):
                raise ValidationError("too long")
        except ValidationError:
            problems.append(
                gettext("Line %(number)d: “%(email)s” is not an email address.") % {"number": number, "email": email}
            )
            continue
        if email.lower() not in seen:
            seen.add(email.lower())
            emails.append(email)
    if problems:
        raise InvalidEmails(problems)
    if not emails:
        raise InvalidEmails([gettext("Paste at least one email address, one a line.")])
    if len(emails) > MAX_INVITATIONS_AT_ONCE:
        raise InvalidEmails(
            [
                gettext("At most %(max)d addresses at once; this paste has %(count)d.")
                % {"max": MAX_INVITATIONS_AT_ONCE, "count": len(emails)}
            ]
        )
    return emails


@dataclass
class InvitationsResult:
    invited: list[ChallengeInvitation] = field(default_factory=list)  # new invitations, each emailed once
    already_invited: list[str] = field(default_factory=list)  # addresses invited before: ignored
    members_added: list = field(default_factory=list)  # members whose address it is: in at once


@transaction.atomic
def challenge_invite_emails(*, challenge: Challenge, emails: Iterable[str], invited_by: User) -> InvitationsResult:
    """Invite these addresses to the challenge: each gets a link with a secret token, by email, once.

    Nothing is saved if any address is bad (InvalidEmails names them all). An address already
    invited is ignored (no second email). An address of an existing member also puts that member
    in ``invited_members`` at once; they are still emailed, so they know. Emails are queued after
    the commit; a draft's wait until staff open it (``_phase_changed``).

    Holds the challenge's row lock while it reads the existing invitations and writes the new ones,
    so two staff pasting overlapping lists at once invite each address once; the unique constraint
    on (lower(email), challenge) is the backstop.
    """
    from .tasks import send_challenge_invitation

    emails = invitation_emails_clean(emails)
    if not rules.can_invite(invited_by):
        raise InvitationError(gettext("Only triage staff can invite people to a challenge."))
    challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
    lowered = [email.lower() for email in emails]
    existing = set(
        ChallengeInvitation.objects.filter(challenge=challenge)
        .annotate(email_lower=Lower("email"))
        .filter(email_lower__in=lowered)
        .values_list("email_lower", flat=True)
    )
    new = [
        ChallengeInvitation(challenge=challenge, email=email, token=secrets.token_urlsafe(32), invited_by=invited_by)
        for email in emails
        if email.lower() not in existing
    ]
    try:
        with transaction.atomic():
            invited = ChallengeInvitation.objects.bulk_create(new)
    except IntegrityError:
        raise InvitationError(
            gettext("Some of these addresses were invited at the same moment by someone else: try again.")
        ) from None
    members = list(
        get_user_model()
        .objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=lowered, is_active=True)
        .order_by("pk")
    )
    if members:
        challenge.invited_members.add(*members)
    if challenge.phase != Challenge.Phase.DRAFT:
        for invitation in invited:
            send_challenge_invitation.delay_on_commit(invitation.pk)
    # The invitations' ids and the members' ids, never the addresses (no personal data in the log).
    audit_record(
        actor=invited_by,
        action="challenge.invitations_sent",
        target=challenge,
        after={
            "invitation_ids": [invitation.pk for invitation in invited],
            "already_invited_count": len(emails) - len(invited),
            "member_ids_added": [member.pk for member in members],
        },
    )
    return InvitationsResult(
        invited=invited,
        already_invited=[email for email in emails if email.lower() in existing],
        members_added=members,
    )


@dataclass(frozen=True)
class InvitationAcceptance:
    challenge: Challenge
    accepted: bool  # False: the member was in already, and the token was left as it was


@transaction.atomic
def challenge_invitation_accept(*, token: str, user: User) -> InvitationAcceptance:
    """The invitee accepts their invitation (a POST from its confirmation page): they join the
    challenge's invited members.

    An invitation is bound to its address: only a signed-in member who confirmed that address may
    accept it (``rules.is_invitee``); anyone else holding the link gets InvitationNotYours and joins
    nothing. It works once; the invitee accepting it again just goes there. Holds the invitation's
    row lock while it checks and marks it, so two clicks at once accept it once. Raises
    ChallengeInvitation.DoesNotExist for an unknown (or revoked) token and InvitationUsed for a
    token used already.
    """
    invitation = (
        ChallengeInvitation.objects.select_for_update(of=("self",)).select_related("challenge").get(token=token)
    )
    challenge = invitation.challenge
    if invitation.accepted_at is not None:
        if invitation.accepted_by_id == user.pk:
            return InvitationAcceptance(challenge=challenge, accepted=False)
        raise InvitationUsed(
            gettext("This invitation has already been used. Ask the team who invited you for a new one.")
        )
    if not rules.is_invitee(user, invitation):
        raise InvitationNotYours(
            gettext(
                "This invitation was sent to another email address. Sign in with the account of that address "
                "(and confirm the address if you have not yet) to accept it."
            )
        )
    already_in = is_triage(user) or challenge.invited_members.filter(pk=user.pk).exists()
    challenge.invited_members.add(user)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return InvitationAcceptance(challenge=challenge, accepted=not already_in)


@dataclass
class InvitationsRevoked:
    revoked: list[str] = field(default_factory=list)  # addresses whose pending invitation is gone
    accepted: list[str] = field(default_factory=list)  # used already: left as they are


@transaction.atomic
def challenge_invitations_revoke(*, invitation_ids: Iterable[int], revoked_by: User) -> InvitationsRevoked:
    """Staff take back invitations not accepted yet: they are deleted, so their links answer 404
    (as an unknown token) and an email still queued is not sent (the task finds nothing). An
    accepted invitation is left: its member is in the challenge (remove them from its invited
    members instead). Locks the rows, so an acceptance at the same moment either wins or finds
    the invitation gone."""
    if not rules.can_invite(revoked_by):
        raise InvitationError(gettext("Only triage staff can revoke invitations."))
    invitations = list(
        ChallengeInvitation.objects.select_for_update().filter(pk__in=list(invitation_ids)).order_by("pk")
    )
    result = InvitationsRevoked()
    pending = []
    for invitation in invitations:
        if invitation.accepted_at is None:
            pending.append(invitation.pk)
            result.revoked.append(invitation.email)
        else:
            result.accepted.append(invitation.email)
    ChallengeInvitation.objects.filter(pk__in=pending).delete()
    for challenge_id in sorted({invitation.challenge_id for invitation in invitations}):
        audit_record(
            actor=revoked_by,
            action="challenge.invitations_revoked",
            target=Challenge.objects.get(pk=challenge_id),
            before={
                "invitation_ids": [i.pk for i in invitations if i.challenge_id == challenge_id and i.pk in pending]
            },
        )
    return result


# --- following -----------------------------------------------------------------------------------


def challenge_follow(*, user: User, challenge: Challenge) -> ChallengeFollow:
    """Follow the challenge (nothing happens if the member already does); the unique constraint guards races.

    Raises FollowNotAllowed for a visitor, or for a challenge the member may not see.
    """
    refusal = rules.challenge_follow_refusal(user, challenge)
    if refusal:
        raise FollowNotAllowed(refusal)
    # get_or_create saves under a savepoint and, if a concurrent request won the race, reads its row.
    return ChallengeFollow.objects.get_or_create(user=user, challenge=challenge)[0]


def challenge_unfollow(*, user: User, challenge: Challenge) -> None:
    """Stop following the challenge (nothing happens if the member does not follow it)."""
    if user.is_authenticated:
        ChallengeFollow.objects.filter(user=user, challenge=challenge).delete()


class AnnouncementNotAllowed(ChallengeError):
    pass


ANNOUNCEMENT_SUBJECT_MAX = 150
ANNOUNCEMENT_BODY_MAX = 5000


@transaction.atomic
def challenge_announce(*, challenge: Challenge, sent_by: User, subject: str, body: str, send_key: str) -> Announcement:
    """Write to a challenge's participants (authors, voters, commenters) and followers who may see it.

    Delivered through the notifications outbox (kind ``challenge_announcement``) in this transaction,
    so each member's preference (immediately, daily digest, off) and unsubscribe link apply. The
    form's ``send_key`` makes a second POST of the same form return the first announcement and tell
    nobody again (``announcement_one_per_send_key``; the challenge's row lock orders two at once).
    Refused (AnnouncementNotAllowed, nothing written) for anyone but triage staff, an empty subject
    or message, a draft challenge, or a challenge nobody takes part in or follows.
    """
    if not is_triage(sent_by):
        raise AnnouncementNotAllowed(gettext("Only triage staff write to a challenge's participants."))
    subject, body, send_key = (subject or "").strip(), (body or "").strip(), (send_key or "").strip()
    if not subject:
        raise AnnouncementNotAllowed(gettext("Give the announcement a subject."))
    if len(subject) > ANNOUNCEMENT_SUBJECT_MAX:
        raise AnnouncementNotAllowed(
            gettext("Keep the subject to %(max)d characters.") % {"max": ANNOUNCEMENT_SUBJECT_MAX}
        )
    if not body:
        raise AnnouncementNotAllowed(gettext("Write the message."))
    if len(body) > ANNOUNCEMENT_BODY_MAX:
        raise AnnouncementNotAllowed(
            gettext("Keep the message to %(max)s characters.")
            % {"max": number_format(ANNOUNCEMENT_BODY_MAX, force_grouping=True)}
        )
    if not send_key or len(send_key) > 64:
        raise AnnouncementNotAllowed(gettext("This page is out of date: open it again."))
    challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
    earlier = Announcement.objects.filter(challenge=challenge, send_key=send_key).first()
    if earlier is not None:
        return earlier
    if challenge.phase == Challenge.Phase.DRAFT:
        raise AnnouncementNotAllowed(gettext("This challenge is a draft: nobody takes part in it yet. Open it first."))
    audience = selectors.challenge_audience_counts(challenge)
    if not audience.total:
        raise AnnouncementNotAllowed(
            gettext("Nobody takes part in or follows this challenge yet: nobody would read it.")
        )
    announcement = Announcement.objects.create(
        challenge=challenge,
        subject=subject,
        body=body,
        sent_by=sent_by,
        audience_count=audience.total,
        send_key=send_key,
    )
    notify.announcement_made(announcement)
    audit_record(
        actor=sent_by,
        action="challenge.announced",
        target=challenge,
        after={"announcement": announcement.pk, "audience": audience.total},
    )
    return announcement
