"""List filters of the triage queue that the metrics page links to, so a count such as "20 not in time"
opens exactly those ideas: the answer promise and the period of submission."""

import datetime

from django.contrib import admin
from django.utils import timezone

from . import selectors, selectors_demand


class AnswerPromiseFilter(admin.SimpleListFilter):
    title = "answer promise"
    parameter_name = "answer"

    def lookups(self, request, model_admin):
        return selectors.ANSWER_PROMISE_CHOICES

    def queryset(self, request, queryset):
        if self.value() in dict(selectors.ANSWER_PROMISE_CHOICES):
            return selectors.ideas_by_answer_promise(queryset, self.value(), now=timezone.now())
        return queryset


def parse_period(value: str) -> tuple[datetime.date | None, datetime.date | None] | None:
    """ "2026-01-01..2026-03-31" (either side may be empty) → the two days; None if malformed."""
    start_text, dots, end_text = (value or "").partition("..")
    if not dots:
        return None
    try:
        start = datetime.date.fromisoformat(start_text) if start_text else None
        end = datetime.date.fromisoformat(end_text) if end_text else None
    except ValueError:
        return None
    if start is None and end is None or (start and end and start > end):
        return None
    return start, end


class SubmittedPeriodFilter(admin.SimpleListFilter):
    """Ideas submitted between two days, both included, as the metrics page's period counts them."""

    title = "submitted in the period"
    parameter_name = "submitted"

    def lookups(self, request, model_admin):
        value = self.value()
        if value and parse_period(value):
            start, end = parse_period(value)
            label = f"{start:%d %b %Y}" if start else "the start"
            label += f" – {end:%d %b %Y}" if end else " – today"
            return [(value, label)]
        return []

    def queryset(self, request, queryset):
        period = parse_period(self.value() or "")
        if period is None:
            return queryset
        zone = timezone.get_current_timezone()
        start, end = period
        if start:
            queryset = queryset.filter(submitted_at__gte=datetime.datetime.combine(start, datetime.time.min, zone))
        if end:
            after = end + datetime.timedelta(days=1)
            queryset = queryset.filter(submitted_at__lt=datetime.datetime.combine(after, datetime.time.min, zone))
        return queryset


class DemandFlagFilter(admin.SimpleListFilter):
    """Ideas flagged "needed but unnoticed" or "popular but overserved" (``scoring.demand``), or either."""

    title = "demand against need"
    parameter_name = "demand"

    def lookups(self, request, model_admin):
        return selectors_demand.DEMAND_FILTER_CHOICES

    def queryset(self, request, queryset):
        return selectors_demand.ideas_by_demand_flag(queryset, self.value() or "")
