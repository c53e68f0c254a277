"""Program metrics (triage staff) and the public page of implemented ideas."""

import csv

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from audit.services import audit_record
from ideaportal.pagecache import cache_public_page

from . import charts, selectors
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


def metrics_index(request):
    if not can_view_metrics(request.user):
        raise Http404("No such page.")
    challenges = selectors.metrics_challenges()
    challenge = _challenge_chosen(request, challenges)
    now = timezone.now()
    scope = challenge.title if challenge else "all challenges"
    summary = selectors.metrics_summary(challenge=challenge, now=now)
    weeks = selectors.metrics_answer_weeks(challenge=challenge, now=now)
    context = {
        "challenges": challenges,
        "challenge": challenge,
        "scope": scope,
        "summary": summary,
        "weeks": weeks,
        "participation": selectors.metrics_participation(challenge=challenge),
        "outcomes": selectors.metrics_ideas_per_outcome(challenge=challenge),
        "statuses": selectors.metrics_ideas_per_status(challenge=challenge),
        "funnel_drawing": charts.funnel_draw(summary.funnel, scope=scope),
        "weeks_drawing": charts.answer_weeks_draw(weeks, scope=scope),
        "export_query": f"?challenge={challenge.slug}" if challenge else "",
    }
    return render(request, "metrics/index.html", context)


def metrics_export(request, table: str):
    if not can_view_metrics(request.user) or table not in TABLES:
        raise Http404("No such page.")
    challenge = _challenge_chosen(request, selectors.metrics_challenges())
    header, rows = metrics_table(table, challenge=challenge, now=timezone.now())
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
    writer.writerows(rows)
    return response


@cache_public_page(params=("page",))
def implemented_ideas(request):
    page = Paginator(selectors.implemented_ideas_for(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "metrics/implemented.html", {"page": page, "ideas": page.object_list})
