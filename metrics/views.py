"""Program metrics (triage staff) and the public page of implemented ideas."""

import csv

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from audit.cells import csv_cell
from audit.services import audit_record
from core.pagecache import cache_public_page
from impact.selectors import follow_up_summaries_for

from . import charts, selectors
from .forms import MetricsPeriodForm
from .rules import can_view_metrics
from .tables import TABLES, metrics_table


def _challenge_chosen(request, challenges):
    """The challenge asked for in ?challenge=<slug>, or None (overall); an unknown one is a 404."""
    wanted = request.GET.get("challenge", "")
    if not wanted:
        return None
    for challenge in challenges:
        if challenge.slug == wanted:
            return challenge
    raise Http404("No such challenge.")


def _period_form(request) -> MetricsPeriodForm:
    return MetricsPeriodForm({key: request.GET.get(key, "") for key in ("date_from", "date_to")})


def _queue_links(challenge, form: MetricsPeriodForm) -> dict[str, str]:
    """The triage queue filtered to exactly the ideas behind each count (reviews.admin_filters)."""
    base: dict[str, object] = {}
    if challenge is not None:
        base["challenge__id__exact"] = challenge.pk
    if form.is_valid() and (form.cleaned_data.get("date_from") or form.cleaned_data.get("date_to")):
        start, end = form.cleaned_data.get("date_from"), form.cleaned_data.get("date_to")
        base["submitted"] = f"{start.isoformat() if start else ''}..{end.isoformat() if end else ''}"
    url = reverse("admin:reviews_triageidea_changelist")

    def link(**params) -> str:
        query = urlencode({**base, **params})
        return f"{url}?{query}" if query else url

    return {
        "submitted": link(),
        "implemented": link(status__exact="implemented"),
        "in_time": link(answer="in_time"),
        "late": link(answer="late"),
        "not_yet_due": link(answer="not_yet_due"),
    }


def metrics_index(request):
    if not can_view_metrics(request.user):
        raise Http404("No such page.")
    challenges = selectors.metrics_challenges()
    challenge = _challenge_chosen(request, challenges)
    form = _period_form(request)
    period = form.period()
    now = timezone.now()
    scope = challenge.title if challenge else _("all challenges")
    if period is not None:
        start, end = form.cleaned_data.get("date_from"), form.cleaned_data.get("date_to")
        dates = {
            "scope": scope,
            "start": date_format(start, "d M Y") if start else "",
            "end": date_format(end, "d M Y") if end else "",
        }
        if start and end:
            scope = _("%(scope)s, submitted %(start)s – %(end)s") % dates
        elif start:
            scope = _("%(scope)s, submitted %(start)s – today") % dates
        else:
            scope = _("%(scope)s, submitted up to %(end)s") % dates
    summary = selectors.metrics_summary(challenge=challenge, now=now, period=period)
    weeks = selectors.answer_weeks_every_week(
        selectors.metrics_answer_weeks(challenge=challenge, now=now, period=period),
        first=form.cleaned_data.get("date_from") if period else None,
        last=min(form.cleaned_data.get("date_to") or now.date(), now.date()) if period else now,
    )
    promise_days = selectors.metrics_promise_days(challenge=challenge)
    query = {"challenge": challenge.slug} if challenge else {}
    if period is not None:
        query.update({k: v.isoformat() for k, v in form.cleaned_data.items() if v})
    context = {
        "challenges": challenges,
        "challenge": challenge,
        "scope": scope,
        "form": form,
        "summary": summary,
        "weeks": weeks,
        "promise_days": promise_days,
        "participation": selectors.metrics_participation(challenge=challenge, period=period),
        "impact": selectors.metrics_measured_impact(challenge=challenge, period=period),
        "outcomes": selectors.metrics_ideas_per_outcome(challenge=challenge, period=period),
        "statuses": selectors.metrics_ideas_per_status(challenge=challenge, period=period),
        "funnel_drawing": charts.funnel_draw(summary.funnel, scope=scope),
        "weeks_drawing": charts.answer_weeks_draw(weeks, scope=scope, promise_days=promise_days),
        "export_query": f"?{urlencode(query)}" if query else "",
        "queue_links": _queue_links(challenge, form),
    }
    return render(request, "metrics/index.html", context, status=400 if form.errors else 200)


def metrics_export(request, table: str):
    if not can_view_metrics(request.user) or table not in TABLES:
        raise Http404("No such page.")
    challenge = _challenge_chosen(request, selectors.metrics_challenges())
    form = _period_form(request)
    if form.errors:
        return HttpResponse(
            " ".join(str(e) for errors in form.errors.values() for e in errors),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    header, rows = metrics_table(table, challenge=challenge, now=timezone.now(), period=form.period())
    audit_record(
        actor=request.user,
        action="metrics.exported",
        target=challenge,
        after={"table": table, "rows": len(rows), "scope": challenge.slug if challenge else "overall"},
        request=request,
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    scope = challenge.slug if challenge else "overall"
    response["Content-Disposition"] = f'attachment; filename="metrics-{table}-{scope}.csv"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return response


@cache_public_page(params=("page",))
def implemented_ideas(request):
    page = Paginator(selectors.implemented_ideas_for(request.user), 20).get_page(request.GET.get("page"))
    ideas = list(page.object_list)
    # Each idea's latest follow-up survey, for the whole page at once (impact: three queries at most).
    summaries = follow_up_summaries_for(idea.pk for idea in ideas)
    for idea in ideas:
        idea.impact = summaries.get(idea.pk)
    return render(request, "metrics/implemented.html", {"page": page, "ideas": ideas})
