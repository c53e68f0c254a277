"""Staff screening: scorecards against the challenge's criteria, and the idea's screening score.

The idea's ``screening_score`` is the mean over its screeners of each screener's weighted mean
(Σ weight × score / Σ weight); it is recomputed from the rows on every save or delete, under the
idea's row lock, so two screeners saving at once never lose each other's scorecard.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, F, FloatField, Sum
from django.db.models.functions import Cast
from django.utils import translation
from django.utils.translation import gettext

from audit.services import audit_record
from challenges.models import Challenge, SelectionCriterion
from core.errors import DomainError
from core.funnel import Status
from ideas.models import Idea
from ideas.services import idea_status_change

from .. import rules
from ..models import Screening, ScreeningScore

if TYPE_CHECKING:
    from accounts.models import User


__all__ = [
    "ScreeningError",
    "criteria_ensure_defaults",
    "screening_delete",
    "screening_save",
    "screening_score_recompute",
]

NOTE_MAX_LENGTH = cast(int, ScreeningScore._meta.get_field("note").max_length)


class ScreeningError(DomainError):
    """A refused screening; the message is for the staff member who tried."""


def criteria_ensure_defaults(*, challenge: Challenge) -> list[SelectionCriterion]:
    """The challenge's criteria; a challenge without any gets the three published defaults first.

    Idempotent: the (challenge, name) unique constraint turns a concurrent creation into a no-op.
    """
    criteria = list(SelectionCriterion.objects.filter(challenge=challenge).order_by("position", "id"))
    if criteria:
        return criteria
    # Written in the challenge's language (else the site's): from now on they are its content.
    with translation.override(challenge.language or settings.LANGUAGE_CODE):
        defaults = [
            SelectionCriterion(
                challenge=challenge,
                name=gettext(name),
                description=gettext(description),
                weight=weight,
                position=position,
                low_means=gettext(SelectionCriterion.DEFAULT_SCALES[name][0]),
                high_means=gettext(SelectionCriterion.DEFAULT_SCALES[name][1]),
            )
            for position, (name, description, weight) in enumerate(SelectionCriterion.DEFAULTS)
        ]
    try:
        with transaction.atomic():
            SelectionCriterion.objects.bulk_create(defaults)
    except IntegrityError:
        pass  # another request created them first
    return list(SelectionCriterion.objects.filter(challenge=challenge).order_by("position", "id"))


def _clean_scores(criteria: list[SelectionCriterion], scores: dict) -> dict[int, tuple[int, str]]:
    """Every criterion of the challenge scored 1–5, and nothing else; raises ScreeningError."""
    by_id = {criterion.pk: criterion for criterion in criteria}
    try:
        given = {int(key): value for key, value in scores.items()}
    except (TypeError, ValueError) as error:
        raise ScreeningError(gettext("Scores must be given per criterion.")) from error
    foreign = sorted(set(given) - set(by_id))
    if foreign:
        raise ScreeningError(
            gettext("Some scores are for criteria of another challenge; score this idea's criteria only.")
        )
    missing = [criterion.name for criterion in criteria if criterion.pk not in given]
    if missing:
        raise ScreeningError(
            gettext("Score every criterion; missing: %(criteria)s.") % {"criteria": ", ".join(missing)}
        )
    cleaned = {}
    for criterion_id, value in given.items():
        score, note = value if isinstance(value, (tuple, list)) else (value, "")
        name = by_id[criterion_id].name
        if isinstance(score, bool) or not isinstance(score, int):
            try:
                score = int(score)
            except (TypeError, ValueError) as error:
                raise ScreeningError(
                    gettext("“%(criterion)s” needs a score from 1 to 5.") % {"criterion": name}
                ) from error
        if not 1 <= score <= 5:
            raise ScreeningError(
                gettext("“%(criterion)s” needs a score from 1 to 5, not %(score)s.")
                % {"criterion": name, "score": score}
            )
        note = (note or "").strip()
        if len(note) > NOTE_MAX_LENGTH:
            raise ScreeningError(
                gettext("The note on “%(criterion)s” is longer than %(max)s characters.")
                % {"criterion": name, "max": NOTE_MAX_LENGTH}
            )
        cleaned[criterion_id] = (score, note)
    return cleaned


def _screening_score_recompute_unlocked(idea_id: int) -> tuple[float | None, int]:
    """Recompute and store the idea's screening score; the caller holds the idea's row lock.

    One aggregate query (each screening's weighted mean, then their mean) and one UPDATE.
    """
    weighted = Cast(Sum(F("score") * F("criterion__weight")), FloatField()) / Cast(
        Sum("criterion__weight"), FloatField()
    )
    per_screening = (
        ScreeningScore.objects.filter(screening__idea_id=idea_id)
        .values("screening_id")
        .annotate(weighted_mean=weighted)
        .order_by()
    )
    result = per_screening.aggregate(score=Avg("weighted_mean"), count=Count("screening_id"))
    score, count = result["score"], result["count"] or 0
    Idea.objects.filter(pk=idea_id).update(screening_score=score if count else None, screenings_count=count)
    return score, count


def _lock_idea(idea: Idea) -> Idea:
    return Idea.objects.select_for_update(of=("self",)).select_related("challenge").get(pk=idea.pk)


@transaction.atomic
def screening_save(
    *, idea: Idea, screener: User, scores: dict, notes: str = "", acknowledge: bool = False
) -> Screening:
    """Record (or replace) the screener's scorecard of the idea and recompute its screening score.

    With ``acknowledge``, an idea still "submitted" also moves to "under review" through
    ``idea_status_change`` in the same transaction (the author's first answer; a refusal there saves
    nothing); an idea already past "submitted" is left as it is.

    ``scores`` maps each criterion id of the idea's challenge to ``(score, note)``. Locks the idea
    row; refuses with ScreeningError, saving nothing, a screener who is not triage staff, an idea
    not submitted yet or withdrawn, a missing or foreign criterion, or a score outside 1–5.
    """
    idea = _lock_idea(idea)
    refusal = rules.screening_refusal(screener, idea)
    if refusal:
        raise ScreeningError(refusal)
    criteria = criteria_ensure_defaults(challenge=idea.challenge)
    cleaned = _clean_scores(criteria, scores)
    before = dict(
        ScreeningScore.objects.filter(screening__idea=idea, screening__screener=screener).values_list(
            "criterion_id", "score"
        )
    )
    screening, created = Screening.objects.get_or_create(
        idea=idea, screener=screener, defaults={"notes": (notes or "").strip()}
    )
    if not created:
        screening.notes = (notes or "").strip()
        screening.save(update_fields=["notes", "updated_at"])
    ScreeningScore.objects.bulk_create(
        [
            ScreeningScore(screening=screening, criterion_id=criterion_id, score=score, note=note)
            for criterion_id, (score, note) in cleaned.items()
        ],
        update_conflicts=True,
        unique_fields=["screening", "criterion"],
        update_fields=["score", "note"],
    )
    score, _ = _screening_score_recompute_unlocked(idea.pk)
    # Scores by criterion id (JSON keys are strings); the notes stay on the scorecard.
    audit_record(
        actor=screener,
        action="idea.screened",
        target=idea,
        before={"scores": {str(k): v for k, v in sorted(before.items())}} if before else {},
        after={"scores": {str(k): s for k, (s, _note) in sorted(cleaned.items())}, "screening_score": score},
    )
    if acknowledge and idea.status == Status.SUBMITTED:
        idea_status_change(
            idea=idea, to_status=Status.UNDER_REVIEW, changed_by=screener, expected_status=Status.SUBMITTED
        )
    return screening


@transaction.atomic
def screening_delete(*, idea: Idea, screener: User) -> bool:
    """Remove the screener's own scorecard of the idea and recompute; False if there was none.

    Locks the idea row.
    """
    idea = _lock_idea(idea)
    if not rules.can_view_screenings(screener):
        raise ScreeningError(gettext("Only triage staff can screen ideas."))
    deleted, _ = Screening.objects.filter(idea=idea, screener=screener).delete()
    _screening_score_recompute_unlocked(idea.pk)
    if deleted:
        audit_record(actor=screener, action="idea.screening_deleted", target=idea)
    return bool(deleted)


@transaction.atomic
def screening_score_recompute(*, idea: Idea) -> float | None:
    """Recompute the idea's screening score from its scorecards (e.g. after criteria weights changed).

    Locks the idea row.
    """
    idea = _lock_idea(idea)
    score, _ = _screening_score_recompute_unlocked(idea.pk)
    return score
