"""What higher apps do once the stored opportunity scores have been recomputed (ideas refreshes its
rankings: an idea's opportunity rank is the best score among its outcomes). Filled in their
AppConfig.ready(), since scoring may not import them (docs/ARCHITECTURE.md, "Layers")."""

from collections.abc import Callable

_SCORES_RECOMPUTED_HOOKS: list[Callable[[], object]] = []


def scores_recomputed_hook_register(hook: Callable[[], object]) -> None:
    """Call ``hook()`` after every committed recompute of all stored scores (the worker's task)."""
    if hook not in _SCORES_RECOMPUTED_HOOKS:
        _SCORES_RECOMPUTED_HOOKS.append(hook)


def scores_recomputed() -> None:
    for hook in _SCORES_RECOMPUTED_HOOKS:
        hook()
