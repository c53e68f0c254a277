"""A challenge's phases, defined once: the phases, their order and what each allows.

A pure module (no app's models, no query): ``challenges.models.Challenge.Phase`` is this ``Phase``,
and every rule, selector and service that needs a set of phases imports it from here;
``tests/test_funnel_defined_once.py`` fails on a literal list of phases anywhere else.
"""

from django.db.models import TextChoices
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _


class Phase(TextChoices):
    """Where a challenge stands (DESIGN.md), in the order a challenge goes through them."""

    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for ideas")
    REVIEW = "review", _("In review")
    MENTORING = "mentoring", _("Mentoring")
    FINAL = "final", _("Final")
    CLOSED = "closed", _("Closed")


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


# The whole sentences the notifications use (translated: a language may not put the name first);
# in English each is the challenge's name in quotes followed by its PHASE_SENTENCES ending.
PHASE_TITLES: dict[str, str] = {
    Phase.DRAFT: pgettext_lazy("challenge", "“%(title)s” went back to being a draft"),
    Phase.OPEN: pgettext_lazy("challenge", "“%(title)s” is open for ideas"),
    Phase.REVIEW: pgettext_lazy("challenge", "“%(title)s” is closed for new ideas: the team is reviewing them"),
    Phase.MENTORING: pgettext_lazy("challenge", "“%(title)s” moved on to mentoring the shortlisted ideas"),
    Phase.FINAL: pgettext_lazy("challenge", "“%(title)s” is in its final round"),
    Phase.CLOSED: pgettext_lazy("challenge", "“%(title)s” is closed"),
}


def phase_sentence(phase: str) -> str:
    """The end of a sentence about a challenge that entered ``phase`` (``PHASE_SENTENCES``)."""
    return PHASE_SENTENCES[phase]


def phase_title(phase: str, title: str) -> str:
    """The whole sentence about the challenge ``title`` that entered ``phase``, in the active language."""
    return str(PHASE_TITLES[phase]) % {"title": title}


def phase_in_sentence(phase: str) -> str:
    """A phase's label inside a sentence, in the active language: lower case, but in German, where
    nouns keep their capital ("is now in review (was draft)", "… (vorher Entwurf)")."""
    label = str(Phase(phase).label)
    return label if (get_language() or "").startswith("de") else label.lower()
