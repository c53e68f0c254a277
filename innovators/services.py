"""Every write about innovators: answering the questionnaire, its items, and inviting members to challenges."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.rules import is_member
from audit.services import audit_record
from challenges.models import Challenge
from core.errors import DomainError
from notifications.services import notify_event

from . import rules
from .models import SCALE_MAX, SCALE_MIN, Questionnaire, QuestionnaireAnswer, QuestionnaireItem, QuestionnaireResponse
from .notification_kinds import CHALLENGE_INVITATION

if TYPE_CHECKING:
    from accounts.models import User


class InnovatorsError(DomainError):
    """A refused action; the message is for the person who tried it."""


class QuestionnaireError(InnovatorsError):
    pass


class QuestionnaireClosed(QuestionnaireError):
    pass


class QuestionnaireAlreadyAnswered(QuestionnaireError):
    pass


class QuestionnaireAnswersInvalid(QuestionnaireError):
    """Some answers are missing or not on the scale; ``problems`` names each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(" ".join(problems))


class QuestionnaireItemsLocked(QuestionnaireError):
    pass


class InvitationRefused(InnovatorsError):
    pass


# --- The questionnaire ---------------------------------------------------------------------------


def questionnaire_score(items_with_values: Iterable[tuple[QuestionnaireItem | Decimal | float, int]]) -> float:
    """The weighted mean of the answers mapped to 0–100: Σ w·(v − 1) / (6 · Σ w) · 100.

    Takes (item, value) pairs (or (weight, value) pairs). All 1s give 0, all 7s give 100.
    """
    total_weight = Decimal(0)
    weighted = Decimal(0)
    for item, value in items_with_values:
        weight = Decimal(str(getattr(item, "weight", item)))
        total_weight += weight
        weighted += weight * (value - SCALE_MIN)
    if total_weight <= 0:
        raise ValueError("A score needs at least one item with a weight above 0.")
    return float(weighted / ((SCALE_MAX - SCALE_MIN) * total_weight) * 100)


def _answers_problems(items: list[QuestionnaireItem], values: dict) -> list[str]:
    """What is wrong with ``values`` (item id → answer), each problem in words; empty when all is well."""
    problems = []
    known = {item.pk for item in items}
    for item in items:
        value = values.get(item.pk)
        if value is None:
            problems.append(
                gettext("“%(statement)s”: choose an answer from %(min)d to %(max)d.")
                % {"statement": item.text, "min": SCALE_MIN, "max": SCALE_MAX}
            )
        elif isinstance(value, bool) or not isinstance(value, int) or not SCALE_MIN <= value <= SCALE_MAX:
            problems.append(
                gettext("“%(statement)s”: the answer must be a whole number from %(min)d to %(max)d.")
                % {"statement": item.text, "min": SCALE_MIN, "max": SCALE_MAX}
            )
    unknown = sorted((key for key in values if key not in known), key=str)
    if unknown:
        problems.append(
            gettext("Answers to statements that are not in this questionnaire: %(keys)s.")
            % {"keys": ", ".join(str(key) for key in unknown)}
        )
    return problems


def answered_on_message(response: QuestionnaireResponse) -> str:
    return gettext("You already answered this questionnaire on %(date)s.") % {
        "date": date_format(timezone.localtime(response.submitted_at), "j F Y")
    }


@transaction.atomic
def questionnaire_answer(*, user: User, questionnaire: Questionnaire, values: dict[int, int]) -> QuestionnaireResponse:
    """Record the member's answers (item id → 1..7) and their score, once; nothing is saved on any error.

    Holds the questionnaire's row lock (SELECT … FOR UPDATE) while it checks that it is open, reads
    its items and writes the response, so staff cannot close it or change its items half-way. The
    unique (questionnaire, user) constraint is the backstop against a double submit: the second
    gets QuestionnaireAlreadyAnswered, not a second response.
    """
    if not rules.can_answer_questionnaire(user):
        raise QuestionnaireError(gettext("Only members answer the questionnaire; staff can only preview it."))
    locked = Questionnaire.objects.select_for_update().filter(pk=questionnaire.pk).first()
    if locked is None or not locked.is_open:
        raise QuestionnaireClosed(
            gettext("This questionnaire is closed: your answers were not saved. Thank you all the same.")
        )
    questionnaire = locked
    earlier = QuestionnaireResponse.objects.filter(questionnaire=questionnaire, user=user).first()
    if earlier is not None:
        raise QuestionnaireAlreadyAnswered(answered_on_message(earlier))
    items = list(questionnaire.items.order_by("position", "pk"))
    if not items:
        raise QuestionnaireError(gettext("This questionnaire has no statements yet: nothing to answer."))
    problems = _answers_problems(items, values)
    if problems:
        raise QuestionnaireAnswersInvalid(problems)
    score = questionnaire_score((item, values[item.pk]) for item in items)
    try:
        with transaction.atomic():
            response = QuestionnaireResponse.objects.create(questionnaire=questionnaire, user=user, score=score)
    except IntegrityError:
        raise QuestionnaireAlreadyAnswered(gettext("You already answered this questionnaire.")) from None
    QuestionnaireAnswer.objects.bulk_create(
        [QuestionnaireAnswer(response=response, item=item, value=values[item.pk]) for item in items]
    )
    return response


ITEMS_LOCKED_MESSAGE = _(
    "Members have answered this questionnaire, so its statements and weights cannot change any more: "
    "their scores must stay comparable. Create a new questionnaire instead."
)


def questionnaire_items_editable(questionnaire: Questionnaire) -> bool:
    """Statements and weights can change until the first member answers."""
    return questionnaire.pk is None or not questionnaire.responses.exists()


@transaction.atomic
def questionnaire_items_save(
    *,
    questionnaire: Questionnaire,
    staff: User,
    saved: Iterable[QuestionnaireItem] = (),
    deleted: Iterable[QuestionnaireItem] = (),
) -> None:
    """Add, change and delete the questionnaire's items, all or none; refused once it has responses.

    Holds the questionnaire's row lock while it checks and writes, the lock ``questionnaire_answer``
    takes, so a first answer and an item change cannot interleave.
    """
    if not rules.can_manage_questionnaires(staff):
        raise QuestionnaireError(gettext("Only triage staff can change a questionnaire."))
    Questionnaire.objects.select_for_update().filter(pk=questionnaire.pk).first()
    if not questionnaire_items_editable(questionnaire):
        raise QuestionnaireItemsLocked(str(ITEMS_LOCKED_MESSAGE))
    for item in deleted:
        if item.pk is not None:
            item.delete()
    for item in saved:
        item.questionnaire = questionnaire
        item.full_clean(exclude=["questionnaire"])
        item.save()


# --- Inviting innovators to a challenge -----------------------------------------------------------


@dataclass
class InnovatorsInvited:
    challenge: Challenge
    invited: list = field(default_factory=list)  # newly invited members: each notified once
    already_invited: list = field(default_factory=list)  # in before: left as they were, not notified again


@transaction.atomic
def innovators_invite(
    *, challenge: Challenge, users: Iterable, invited_by: User, reason: dict | None = None
) -> InnovatorsInvited:
    """Invite these members to an invite-only challenge and tell the newly invited, in one outbox event.

    ``reason`` says why these members (the gap grid's invitation: the outcome and the segments they
    were chosen from); it goes into the audit row beside who was added.

    Refuses (and changes nothing) for anyone but triage staff, a public challenge, a draft (invited
    members could not see it yet) and a closed one. Holds the challenge's row lock (SELECT … FOR
    UPDATE) while it reads who is in and adds the rest, so two staff inviting overlapping members
    at once notify each member once.
    """
    if not rules.can_invite_innovators(invited_by):
        raise InvitationRefused(gettext("Only triage staff can invite members to a challenge."))
    challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
    if not challenge.is_invite_only:
        raise InvitationRefused(
            gettext("“%(title)s” is public: everyone can already take part. Choose an invite-only challenge.")
            % {"title": challenge.title}
        )
    if challenge.phase == Challenge.Phase.CLOSED:
        raise InvitationRefused(
            gettext("“%(title)s” is closed: nobody can take part any more.") % {"title": challenge.title}
        )
    if challenge.phase == Challenge.Phase.DRAFT:
        raise InvitationRefused(
            gettext("“%(title)s” is still a draft, so invited members could not see it yet. Open it first.")
            % {"title": challenge.title}
        )
    members = list({user.pk: user for user in users}.values())
    if not members:
        raise InvitationRefused(gettext("Choose at least one member to invite."))
    unable = [user for user in members if not is_member(user)]
    if unable:
        names = ", ".join(user.public_name for user in unable)
        raise InvitationRefused(
            gettext("Only active members (not staff) are invited this way; not: %(names)s.") % {"names": names}
        )
    ids = [user.pk for user in members]
    already = set(challenge.invited_members.filter(pk__in=ids).values_list("pk", flat=True))
    invited = sorted((user for user in members if user.pk not in already), key=lambda user: user.pk)
    if invited:
        challenge.invited_members.add(*invited)
        notify_event(
            kind=CHALLENGE_INVITATION,
            payload={"challenge_id": challenge.pk, "user_ids": [user.pk for user in invited]},
            actor_id=invited_by.pk,
        )
        audit_record(
            actor=invited_by,
            action="challenge.innovators_invited",
            target=challenge,
            before={"invited_member_ids": sorted(already)},
            after={"member_ids_added": [user.pk for user in invited], **(reason or {})},
        )
    return InnovatorsInvited(
        challenge=challenge,
        invited=invited,
        already_invited=sorted((user for user in members if user.pk in already), key=lambda user: user.pk),
    )
