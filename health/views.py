from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from . import checks


@never_cache
def healthz(request):
    """For load balancers, compose health checks and people: every part's state, as JSON.

    200 while the portal can serve (the database answers), even with parts degraded (named in
    ``degraded``); 503 when it cannot.
    """
    report = checks.report()
    return JsonResponse(report, status=200 if report["serving"] else 503)
