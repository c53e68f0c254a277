from django.shortcuts import render

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
