"""List filters of the triage queue that the metrics page links to, so a count such as "20 not in time"
opens exactly those ideas: the answer promise and the period of submission."""

import datetime

from django.contrib import admin
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import selectors, selectors_demand


class AnswerPromiseFilter(admin.SimpleListFilter):
    title = _("answer promise")
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

    title = _("submitted in the period")
    parameter_name = "submitted"

    def lookups(self, request, model_admin):
        value = self.value()
        if value and parse_period(value):
            start, end = parse_period(value)
            if start and end:
                label = gettext("%(start)s – %(end)s") % {
                    "start": date_format(start, "d M Y"),
                    "end": date_format(end, "d M Y"),
                }
            elif start:
                label = gettext("%(start)s – today") % {"start": date_format(start, "d M Y")}
            else:
                label = gettext("the start – %(end)s") % {"end": date_format(end, "d M Y")}
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

    title = _("demand against need")
    parameter_name = "demand"

    def lookups(self, request, model_admin):
        return selectors_demand.DEMAND_FILTER_CHOICES

    def queryset(self, request, queryset):
        return selectors_demand.ideas_by_demand_flag(queryset, self.value() or "")


# --- the challenge's own choice questions (issue 22): one filter per question, once the queue is
# filtered to that challenge (``challenge__id__exact``, the "challenge" filter's parameter) ---------

NO_ANSWER = "__none__"


def answer_filters_for(request) -> list[type[admin.SimpleListFilter]]:
    """A list filter for each choice question of the challenge the queue is filtered to (one query);
    none while the queue shows every challenge, whose questions differ."""
    from challenges.models import ChallengeQuestion

    value = request.GET.get("challenge__id__exact", "")
    if not (value.isascii() and value.isdigit() and len(value) <= 12):
        return []
    questions = ChallengeQuestion.objects.filter(challenge_id=int(value), kind=ChallengeQuestion.Kind.CHOICE).order_by(
        "order", "id"
    )
    return [_answer_filter(question) for question in questions]


def _answer_filter(question) -> type[admin.SimpleListFilter]:
    from django.db.models import Exists, OuterRef

    from ideas.models import IdeaAnswer

    class AnswerFilter(admin.SimpleListFilter):
        title = (
            gettext("answer to “%(question)s”")
            if question.active
            else gettext("answer to “%(question)s” (no longer asked)")
        ) % {"question": question.label}
        parameter_name = f"answer_{question.pk}"

        def lookups(self, request, model_admin):
            return [(option, option) for option in question.options] + [(NO_ANSWER, gettext("No answer"))]

        def queryset(self, request, queryset):
            value = self.value()
            if not value:
                return queryset
            answers = IdeaAnswer.objects.filter(idea_id=OuterRef("pk"), question_id=question.pk)
            if value == NO_ANSWER:
                return queryset.filter(~Exists(answers))
            return queryset.filter(Exists(answers.filter(value=value)))

    return AnswerFilter
