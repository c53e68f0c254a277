"""Admin actions for mentoring, used by the triage queue and the ideas admin."""

MENTORING_ACTIONS: list = []
