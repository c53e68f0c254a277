"""What higher apps do when scoring's state moves: the stored opportunity scores were recomputed
(ideas refreshes its rankings: an idea's opportunity rank is the best score among its outcomes), a
survey wave opened (impact invites the respondents of a follow-up) or closed (impact computes the
follow-up's result). Filled in their AppConfig.ready(), since scoring may not import them
(docs/ARCHITECTURE.md, "Layers")."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import SurveyWave

_SCORES_RECOMPUTED_HOOKS: list[Callable[[], object]] = []
_WAVE_OPENED_HOOKS: list[Callable[[SurveyWave], object]] = []
_WAVE_CLOSED_HOOKS: list[Callable[[SurveyWave], object]] = []


def scores_recomputed_hook_register(hook: Callable[[], object]) -> None:
    """Call ``hook()`` after every committed recompute of all stored scores (the worker's task)."""
    if hook not in _SCORES_RECOMPUTED_HOOKS:
        _SCORES_RECOMPUTED_HOOKS.append(hook)


def scores_recomputed() -> None:
    for hook in _SCORES_RECOMPUTED_HOOKS:
        hook()


def wave_opened_hook_register(hook: Callable[[SurveyWave], object]) -> None:
    """Call ``hook(wave)`` when a wave opens, in the opening's transaction under the wave's row lock
    (once per wave: a wave opens once)."""
    if hook not in _WAVE_OPENED_HOOKS:
        _WAVE_OPENED_HOOKS.append(hook)


def wave_closed_hook_register(hook: Callable[[SurveyWave], object]) -> None:
    """Call ``hook(wave)`` when a wave closes, in the closing's transaction under the wave's row lock
    (once per wave: a wave closes once)."""
    if hook not in _WAVE_CLOSED_HOOKS:
        _WAVE_CLOSED_HOOKS.append(hook)


def wave_opened_unlocked(wave: SurveyWave) -> None:
    """Run the opened hooks; the caller holds the wave's row lock."""
    for hook in _WAVE_OPENED_HOOKS:
        hook(wave)


def wave_closed_unlocked(wave: SurveyWave) -> None:
    """Run the closed hooks; the caller holds the wave's row lock."""
    for hook in _WAVE_CLOSED_HOOKS:
        hook(wave)
