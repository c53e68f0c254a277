from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from challenges.selectors import challenge_open_list_for
from ideas.selectors import idea_recently_decided_for

from .pagecache import cache_public_page


@cache_public_page
def home(request):
    context = {
        "open_challenges": challenge_open_list_for(request.user)[:6],
        "decided_ideas": idea_recently_decided_for(request.user),
    }
    return render(request, "home.html", context)


@never_cache
def healthz(request):
    """For load balancers and compose health checks: 200 once the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
