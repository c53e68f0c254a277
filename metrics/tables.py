"""The metrics tables as header + rows, shared by the CSV exports (plain values, no markup)."""

import datetime

from django.utils import translation

from challenges.models import Challenge

from . import selectors


def _days(value: datetime.timedelta | None) -> str:
    return "" if value is None else f"{value.total_seconds() / 86400:.2f}"


def _share(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def _summary(challenge, now, period=None):
    s = selectors.metrics_summary(challenge=challenge, now=now, period=period)
    return ["metric", "value"], [
        ["ideas_submitted", s.submitted],
        ["ideas_implemented", s.implemented],
        ["implementation_rate", _share(s.implementation_rate)],
        ["answered_in_time", s.in_time],
        ["not_answered_in_time", s.late],
        ["not_yet_due_excluded", s.not_yet_due],
        ["answered_in_time_share", _share(s.answered_in_time_share)],
        ["days_to_first_answer_median", _days(s.answer_median)],
        ["days_to_first_answer_p90", _days(s.answer_p90)],
        ["days_to_decision_median", _days(s.decision_median)],
        ["days_to_decision_p90", _days(s.decision_p90)],
    ]


def _funnel(challenge, now, period=None):
    s = selectors.metrics_summary(challenge=challenge, now=now, period=period)
    return ["stage", "ideas", "share_of_submitted"], [[st, count, _share(share)] for st, _, count, share in s.funnel]


def _answer_weeks(challenge, now, period=None):
    weeks = selectors.metrics_answer_weeks(challenge=challenge, now=now, period=period)
    return ["week_starting", "ideas_submitted", "ideas_answered", "median_days_to_first_answer"], [
        [w.week.isoformat(), w.submitted, w.answered, _days(w.median)] for w in weeks
    ]


def _participation(challenge, now, period=None):
    p = selectors.metrics_participation(challenge=challenge, period=period)
    rows = [["members", p.members, _share(p.share(p.members))]]
    with translation.override("en"):  # the CSV's group names are data, the same in every language
        rows += [[str(label), count, _share(share)] for label, count, share in p.rows]
    return ["group", "members", "share_of_members"], rows


def _outcomes(challenge, now, period=None):
    rows = selectors.metrics_ideas_per_outcome(challenge=challenge, period=period)
    return ["outcome", "statement", "ideas"], [[r["code"], r["statement"], r["ideas_count"]] for r in rows]


def _statuses(challenge, now, period=None):
    rows = selectors.metrics_ideas_per_status(challenge=challenge, period=period)
    return ["status", "ideas"], [[status, count] for status, _, count in rows]


TABLES = {
    "summary": _summary,
    "funnel": _funnel,
    "answer-weeks": _answer_weeks,
    "participation": _participation,
    "outcomes": _outcomes,
    "statuses": _statuses,
}


def metrics_table(name: str, *, challenge: Challenge | None, now: datetime.datetime, period=None):
    """(header, rows) of the named table, for the ideas submitted in ``period``; KeyError for an unknown name."""
    return TABLES[name](challenge, now, period)
