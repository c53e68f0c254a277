"""The load benchmark's two baselines: what one indexed SELECT or one INSERT costs through Django.

The portal's pages are compared with these (bench/load.py): a read page with the SELECT baseline,
a vote with the INSERT baseline. Both are mounted only when settings.BENCH_BASELINE_VIEWS is on,
which only benchmark runs set.
"""

import uuid

from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.views.decorators.csrf import csrf_exempt

from .models import BaselineRow

# The row the SELECT baseline reads unless ?label= names another (created by ensure_rows).
DEFAULT_LABEL = "baseline-1"
# The template repeats this many list items, to render about 5 KB of HTML like a small portal page.
ITEMS = 24


def ensure_rows(count: int = 100) -> None:
    """Create the rows the SELECT baseline reads (labels baseline-1 … baseline-<count>), once."""
    existing = set(BaselineRow.objects.filter(label__startswith="baseline-").values_list("label", flat=True))
    BaselineRow.objects.bulk_create(
        BaselineRow(label=f"baseline-{n}", payload=f"Payload of row {n}. " * 8)
        for n in range(1, count + 1)
        if f"baseline-{n}" not in existing
    )


def select(request):
    """One indexed SELECT (a row by its label), rendered through a plain ~5 KB template.

    Rendered without a request, so no context processor adds queries: one query per request.
    """
    row = BaselineRow.objects.filter(label=request.GET.get("label", DEFAULT_LABEL)).first()
    if row is None:
        raise Http404("No baseline row with this label: run bench/load.py, which creates them.")
    html = render_to_string("baseline/select.html", {"row": row, "items": range(1, ITEMS + 1)})
    return HttpResponse(html)


@csrf_exempt
def insert(request):
    """One INSERT. GET or POST, without CSRF: wrk can call it with a plain GET.

    That is acceptable only because the view exists for benchmarks: it is mounted only when
    BENCH_BASELINE_VIEWS is on, never in a real deployment.
    """
    row = BaselineRow.objects.create(label=f"insert-{uuid.uuid4().hex}", payload="inserted by the benchmark")
    return HttpResponse(f"inserted {row.pk}\n", content_type="text/plain")
