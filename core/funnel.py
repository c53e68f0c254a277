"""The funnel of DESIGN.md, defined once: an idea's statuses, their groups, the steps between them,
the order of the stages and the answer-due rule.

A pure module: it imports no app's models and runs no query, so every app (and a test, a migration,
a management command) can read the funnel without loading the ORM's model registry. Every other
place that needs a set of statuses imports it from here; ``tests/test_funnel_defined_once.py``
fails on a literal list of statuses anywhere else.
"""

import datetime

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Status(TextChoices):
    """Where an idea stands in the funnel (DESIGN.md)."""

    DRAFT = "draft", pgettext_lazy("idea status", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("idea status", "Submitted")
    # The first answer that is not yet a decision ("we've read it, we're looking at it"): it answers
    # the author (it counts as the first human answer and clears "overdue") before the decision.
    UNDER_REVIEW = "under_review", pgettext_lazy("idea status", "Under review")
    SHORTLISTED = "shortlisted", pgettext_lazy("idea status", "Shortlisted")
    IN_MENTORING = "in_mentoring", pgettext_lazy("idea status", "In mentoring")
    FINALIST = "finalist", pgettext_lazy("idea status", "Finalist")
    WINNER = "winner", pgettext_lazy("idea status", "Winner")
    IN_PROGRESS = "in_progress", pgettext_lazy("idea status", "In progress")
    IMPLEMENTED = "implemented", pgettext_lazy("idea status", "Implemented")
    DECLINED = "declined", pgettext_lazy("idea status", "Declined")
    NOT_SELECTED = "not_selected", pgettext_lazy("idea status", "Not selected")
    DUPLICATE = "duplicate", pgettext_lazy("idea status", "Duplicate")
    WITHDRAWN = "withdrawn", pgettext_lazy("idea status", "Withdrawn")


ALL_STATUSES = frozenset(Status)

# --- groups -------------------------------------------------------------------------------------

# Not published: the author's drafts and the ideas the author withdrew. Only the author and staff
# see them; lists, counts and screening leave them out. (A list, in this order: the database
# constraint idea_submitted_has_date names it.)
UNPUBLISHED_STATUSES = (Status.DRAFT, Status.WITHDRAWN)
PUBLISHED_STATUSES = ALL_STATUSES - set(UNPUBLISHED_STATUSES)

# The statuses in which the author may still edit and withdraw their idea (until screening starts).
AUTHOR_STATUSES = frozenset({Status.DRAFT, Status.SUBMITTED})

# Waiting for the team's first answer: the answer-due rule below applies to it.
AWAITING_ANSWER = Status.SUBMITTED

# Statuses that answer an idea: a staff decision after submission.
DECIDED_STATUSES = ALL_STATUSES - AUTHOR_STATUSES - {Status.WITHDRAWN}
# The statuses staff choose (the admin's status forms, reason templates): every one after
# "submitted"; draft → submitted is the author's step.
STAFF_STATUSES = ALL_STATUSES - AUTHOR_STATUSES

# The funnel's two groups once an idea is published (draft is neither). An open idea still waits for
# a staff decision; an ended one has its answer: the challenge may close only when none is open
# (ideas.services.funnel, reviews' close guard), and reaching an ending closes the idea's
# mentoring (its assignment and any open revision request).
OPEN_STATUSES = frozenset(
    {Status.SUBMITTED, Status.UNDER_REVIEW, Status.SHORTLISTED, Status.IN_MENTORING, Status.FINALIST}
)
ENDED_STATUSES = ALL_STATUSES - OPEN_STATUSES - {Status.DRAFT}

# Statuses whose reason the author must be given.
STATUSES_NEEDING_REASON = frozenset({Status.DECLINED, Status.NOT_SELECTED, Status.DUPLICATE, Status.IMPLEMENTED})

# The endings a challenge's open ideas get when it closes: not selected (declined if never screened).
CLOSING_ENDINGS = (Status.NOT_SELECTED, Status.DECLINED)

# A mentor is assigned to a shortlisted idea (or reassigned on one in mentoring).
MENTORABLE_STATUSES = frozenset({Status.SHORTLISTED, Status.IN_MENTORING})

# An idea that is no merge target, and one that cannot be merged into another.
NOT_MERGEABLE_STATUSES = (Status.DRAFT, Status.DUPLICATE)
NOT_MERGE_TARGET_STATUSES = frozenset({*NOT_MERGEABLE_STATUSES, Status.WITHDRAWN})

# The final round: the finalists and the winner chosen among them (the finalists' comparison page).
FINAL_ROUND_STATUSES = (Status.WINNER, Status.FINALIST)

# A winner stays a winner when its implementation starts and ends.
WINNER_STATUSES = frozenset({Status.WINNER, Status.IN_PROGRESS, Status.IMPLEMENTED})

# The statuses a metrics chart counts as the idea's final decision.
TERMINAL_STATUSES = (Status.DECLINED, Status.NOT_SELECTED, Status.DUPLICATE, Status.WINNER, Status.IMPLEMENTED)

# --- the steps ----------------------------------------------------------------------------------

# Which status may follow which (staff decisions only; draft → submitted is the author's, through
# idea_submit; → withdrawn is the author's, through idea_withdraw).
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.SUBMITTED: frozenset({Status.UNDER_REVIEW, Status.SHORTLISTED, Status.DECLINED, Status.DUPLICATE}),
    Status.UNDER_REVIEW: frozenset({Status.SHORTLISTED, Status.DECLINED, Status.DUPLICATE}),
    Status.SHORTLISTED: frozenset({Status.IN_MENTORING, Status.DECLINED, Status.NOT_SELECTED, Status.DUPLICATE}),
    Status.IN_MENTORING: frozenset({Status.FINALIST, Status.NOT_SELECTED}),
    Status.FINALIST: frozenset({Status.WINNER, Status.NOT_SELECTED}),
    Status.WINNER: frozenset({Status.IN_PROGRESS}),
    Status.IN_PROGRESS: frozenset({Status.IMPLEMENTED}),
}


def allowed_next_statuses(status: str) -> frozenset[str]:
    """The statuses staff may move an idea in ``status`` to (none once it has ended)."""
    return TRANSITIONS.get(status, frozenset())


# --- the stages, in order -----------------------------------------------------------------------

# The funnel's stages in order; an idea that reached a stage reached all the earlier ones.
STAGES = (
    Status.SUBMITTED,
    Status.SHORTLISTED,
    Status.IN_MENTORING,
    Status.FINALIST,
    Status.WINNER,
    Status.IN_PROGRESS,
    Status.IMPLEMENTED,
)
STAGE_RANK: dict[str, int] = {status: rank for rank, status in enumerate(STAGES)}


def reached_since(stage: str) -> tuple[str, ...]:
    """The stages from ``stage`` on: an idea now in one of them has been through ``stage``."""
    return STAGES[STAGE_RANK[stage] :]


# Statuses an idea only reaches after staff shortlisted it ("not selected" comes after the shortlist).
REACHED_SHORTLIST_STATUSES = (*reached_since(Status.SHORTLISTED), Status.NOT_SELECTED)

# Where an idea ended, best first: the order of a challenge's results table. The stages from the
# furthest back, then the endings that stopped an idea.
RESULT_ORDER = (
    *reversed(STAGES[1:]),
    Status.UNDER_REVIEW,
    Status.SUBMITTED,
    Status.NOT_SELECTED,
    Status.DECLINED,
    Status.DUPLICATE,
)

# The published statuses a challenge's ideas can be in, in the funnel's order (the triage board's
# columns): waiting, under review, the stages, then the endings that stopped an idea. "Under
# review" is no stage: an idea may be shortlisted straight from "submitted".
BOARD_ORDER = (
    Status.SUBMITTED,
    Status.UNDER_REVIEW,
    *STAGES[1:],
    Status.DECLINED,
    Status.NOT_SELECTED,
    Status.DUPLICATE,
)

# --- the answer-due rule ------------------------------------------------------------------------


def answer_due_at(submitted_at: datetime.datetime, answer_within_days: int) -> datetime.datetime:
    """When the challenge promised the author a first answer: ``answer_within_days`` days after submission.

    The SQL twin is ``ideas.selectors.answer_due_expression``; exactly at the deadline is in time.
    """
    return submitted_at + datetime.timedelta(days=answer_within_days)


def is_overdue(
    *,
    status: str,
    decided_at: datetime.datetime | None,
    submitted_at: datetime.datetime | None,
    answer_within_days: int,
    now: datetime.datetime,
) -> bool:
    """An idea still awaiting its first answer past its answer-due time."""
    return (
        status == AWAITING_ANSWER
        and decided_at is None
        and submitted_at is not None
        and answer_due_at(submitted_at, answer_within_days) < now
    )


# --- what a notification says -------------------------------------------------------------------

# What is said of an idea once it reached a status, as whole sentences (one translatable sentence per
# status and per way of saying it, so that German and French read as well as English): "“Lockers”
# was chosen as the winner", never "is now winner". ``%(idea)s`` is the idea's title,
# ``%(challenge)s`` its challenge's, ``%(previous)s`` the status it left (``status_word``).

# The English endings of those sentences (the tests compose the expected English from them).
STATUS_SENTENCES: dict[str, str] = {
    Status.DRAFT: "went back to being a draft",
    Status.SUBMITTED: "was submitted",
    Status.UNDER_REVIEW: "is being reviewed by the team",
    Status.SHORTLISTED: "was shortlisted",
    Status.IN_MENTORING: "is being mentored",
    Status.FINALIST: "is a finalist",
    Status.WINNER: "was chosen as the winner",
    Status.IN_PROGRESS: "is being implemented",
    Status.IMPLEMENTED: "was implemented",
    Status.DECLINED: "was declined",
    Status.NOT_SELECTED: "was not selected",
    Status.DUPLICATE: "was merged into a similar idea",
    Status.WITHDRAWN: "was withdrawn",
}

# What followers and voters read: "“Lockers” was shortlisted".
STATUS_TITLES = {
    Status.DRAFT: _("“%(idea)s” went back to being a draft"),
    Status.SUBMITTED: _("“%(idea)s” was submitted"),
    Status.UNDER_REVIEW: _("“%(idea)s” is being reviewed by the team"),
    Status.SHORTLISTED: _("“%(idea)s” was shortlisted"),
    Status.IN_MENTORING: _("“%(idea)s” is being mentored"),
    Status.FINALIST: _("“%(idea)s” is a finalist"),
    Status.WINNER: _("“%(idea)s” was chosen as the winner"),
    Status.IN_PROGRESS: _("“%(idea)s” is being implemented"),
    Status.IMPLEMENTED: _("“%(idea)s” was implemented"),
    Status.DECLINED: _("“%(idea)s” was declined"),
    Status.NOT_SELECTED: _("“%(idea)s” was not selected"),
    Status.DUPLICATE: _("“%(idea)s” was merged into a similar idea"),
    Status.WITHDRAWN: _("“%(idea)s” was withdrawn"),
}

# What the idea's authors read: "Your idea “Lockers” was shortlisted".
YOUR_IDEA_STATUS_TITLES = {
    Status.DRAFT: _("Your idea “%(idea)s” went back to being a draft"),
    Status.SUBMITTED: _("Your idea “%(idea)s” was submitted"),
    Status.UNDER_REVIEW: _("Your idea “%(idea)s” is being reviewed by the team"),
    Status.SHORTLISTED: _("Your idea “%(idea)s” was shortlisted"),
    Status.IN_MENTORING: _("Your idea “%(idea)s” is being mentored"),
    Status.FINALIST: _("Your idea “%(idea)s” is a finalist"),
    Status.WINNER: _("Your idea “%(idea)s” was chosen as the winner"),
    Status.IN_PROGRESS: _("Your idea “%(idea)s” is being implemented"),
    Status.IMPLEMENTED: _("Your idea “%(idea)s” was implemented"),
    Status.DECLINED: _("Your idea “%(idea)s” was declined"),
    Status.NOT_SELECTED: _("Your idea “%(idea)s” was not selected"),
    Status.DUPLICATE: _("Your idea “%(idea)s” was merged into a similar idea"),
    Status.WITHDRAWN: _("Your idea “%(idea)s” was withdrawn"),
}

# The first sentence of the authors' email, with the challenge and the status the idea left.
YOUR_IDEA_STATUS_SENTENCES = {
    Status.DRAFT: _(
        "Your idea “%(idea)s” in the challenge “%(challenge)s” went back to being a draft (it was %(previous)s)."
    ),
    Status.SUBMITTED: _("Your idea “%(idea)s” in the challenge “%(challenge)s” was submitted (it was %(previous)s)."),
    Status.UNDER_REVIEW: _(
        "Your idea “%(idea)s” in the challenge “%(challenge)s” is being reviewed by the team (it was %(previous)s)."
    ),
    Status.SHORTLISTED: _(
        "Your idea “%(idea)s” in the challenge “%(challenge)s” was shortlisted (it was %(previous)s)."
    ),
    Status.IN_MENTORING: _(
        "Your idea “%(idea)s” in the challenge “%(challenge)s” is being mentored (it was %(previous)s)."
    ),
    Status.FINALIST: _("Your idea “%(idea)s” in the challenge “%(challenge)s” is a finalist (it was %(previous)s)."),
    Status.WINNER: _(
        "Your idea “%(idea)s” in the challenge “%(challenge)s” was chosen as the winner (it was %(previous)s)."
    ),
    Status.IN_PROGRESS: _(
        "Your idea “%(idea)s” in the challenge “%(challenge)s” is being implemented (it was %(previous)s)."
    ),
    Status.IMPLEMENTED: _(
        "Your idea “%(idea)s” in the challenge “%(challenge)s” was implemented (it was %(previous)s)."
    ),
    Status.DECLINED: _("Your idea “%(idea)s” in the challenge “%(challenge)s” was declined (it was %(previous)s)."),
    Status.NOT_SELECTED: _(
        "Your idea “%(idea)s” in the challenge “%(challenge)s” was not selected (it was %(previous)s)."
    ),
    Status.DUPLICATE: _(
        "Your idea “%(idea)s” in the challenge “%(challenge)s” was merged into a similar idea (it was %(previous)s)."
    ),
    Status.WITHDRAWN: _("Your idea “%(idea)s” in the challenge “%(challenge)s” was withdrawn (it was %(previous)s)."),
}

# A status named inside a sentence ("it was under review"): lower case in English and French.
STATUS_WORDS = {
    Status.DRAFT: pgettext_lazy("idea status, inside a sentence", "draft"),
    Status.SUBMITTED: pgettext_lazy("idea status, inside a sentence", "submitted"),
    Status.UNDER_REVIEW: pgettext_lazy("idea status, inside a sentence", "under review"),
    Status.SHORTLISTED: pgettext_lazy("idea status, inside a sentence", "shortlisted"),
    Status.IN_MENTORING: pgettext_lazy("idea status, inside a sentence", "in mentoring"),
    Status.FINALIST: pgettext_lazy("idea status, inside a sentence", "finalist"),
    Status.WINNER: pgettext_lazy("idea status, inside a sentence", "winner"),
    Status.IN_PROGRESS: pgettext_lazy("idea status, inside a sentence", "in progress"),
    Status.IMPLEMENTED: pgettext_lazy("idea status, inside a sentence", "implemented"),
    Status.DECLINED: pgettext_lazy("idea status, inside a sentence", "declined"),
    Status.NOT_SELECTED: pgettext_lazy("idea status, inside a sentence", "not selected"),
    Status.DUPLICATE: pgettext_lazy("idea status, inside a sentence", "duplicate"),
    Status.WITHDRAWN: pgettext_lazy("idea status, inside a sentence", "withdrawn"),
}


def status_sentence(status: str) -> str:
    """The English end of a sentence about an idea that reached ``status`` (``STATUS_SENTENCES``).

    Not translatable (a fragment reads badly once translated): say it with ``status_title``,
    ``your_idea_status_title`` or ``your_idea_status_sentence``.
    """
    return STATUS_SENTENCES[status]


def status_word(status: str) -> str:
    """``status`` named inside a sentence, in the active language ("under review")."""
    return str(STATUS_WORDS[status])


def status_title(status: str, *, idea: str) -> str:
    """ "“Lockers” was shortlisted", in the active language: what followers and voters read."""
    return STATUS_TITLES[status] % {"idea": idea}


def your_idea_status_title(status: str, *, idea: str) -> str:
    """ "Your idea “Lockers” was shortlisted", in the active language: what the authors read."""
    return YOUR_IDEA_STATUS_TITLES[status] % {"idea": idea}


def your_idea_status_sentence(status: str, *, idea: str, challenge: str, previous: str) -> str:
    """The authors' "Your idea “Lockers” in the challenge “Stations” was shortlisted (it was submitted)."."""
    return YOUR_IDEA_STATUS_SENTENCES[status] % {
        "idea": idea,
        "challenge": challenge,
        "previous": status_word(previous),
    }
