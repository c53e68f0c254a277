"""Who may see the program metrics."""

from accounts.rules import is_triage


def can_view_metrics(user) -> bool:
    """Triage staff only: the figures name no one, but they are the team's own scorecard."""
    return is_triage(user)
