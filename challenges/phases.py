"""A challenge's phases, defined once: the phases, their order and what each allows.

A pure module (no app's models, no query): ``challenges.models.Challenge.Phase`` is this ``Phase``,
and every rule, selector and service that needs a set of phases imports it from here;
``tests/test_funnel_defined_once.py`` fails on a literal list of phases anywhere else.
"""

from django.db.models import TextChoices


class Phase(TextChoices):
    """Where a challenge stands (DESIGN.md), in the order a challenge goes through them."""

    DRAFT = "draft", "Draft"
    OPEN = "open", "Open for ideas"
    REVIEW = "review", "In review"
    MENTORING = "mentoring", "Mentoring"
    FINAL = "final", "Final"
    CLOSED = "closed", "Closed"


# Phases in the order a challenge goes through them.
PHASE_ORDER: list[str] = [phase.value for phase in Phase]

# What each phase allows.
SUBMISSION_PHASES = frozenset({Phase.OPEN})
VOTING_PHASES = frozenset({Phase.OPEN, Phase.REVIEW})
# Running: published and not yet closed. Members comment, invitations go out, phases advance on time.
RUNNING_PHASES = frozenset(Phase) - {Phase.DRAFT, Phase.CLOSED}
COMMENTING_PHASES = RUNNING_PHASES
# Phases in which results can be out: closed always, final once a winner is decided. A winner is
# chosen only then.
RESULTS_PHASES = frozenset({Phase.FINAL, Phase.CLOSED})

# How a sentence about a challenge ends once it entered a phase: "“Faster checkout” is open for
# ideas", never "moved to open for ideas". Every phase has one (a notification names any of them).
PHASE_SENTENCES: dict[str, str] = {
    Phase.DRAFT: "went back to being a draft",
    Phase.OPEN: "is open for ideas",
    Phase.REVIEW: "is closed for new ideas: the team is reviewing them",
    Phase.MENTORING: "moved on to mentoring the shortlisted ideas",
    Phase.FINAL: "is in its final round",
    Phase.CLOSED: "is closed",
}


def phase_sentence(phase: str) -> str:
    """The end of a sentence about a challenge that entered ``phase`` (``PHASE_SENTENCES``)."""
    return PHASE_SENTENCES[phase]
