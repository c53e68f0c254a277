"""HTTP for the idea lists: across challenges, or one challenge's (``?challenge=<slug>``)."""

from django.conf import settings
from django.shortcuts import render

from challenges.selectors import challenge_visible_to
from core.pagecache import cache_public_page
from core.pagination import CappedPaginator

from . import selectors
from .filters import IdeaFilter


@cache_public_page(params=(*IdeaFilter.base_filters, "page"))
def idea_list(request):
    ideas = IdeaFilter(
        request.GET,
        queryset=selectors.idea_list_for(request.user).published(),
        challenges=challenge_visible_to(request.user),
        request=request,
    )
    page = CappedPaginator(ideas.qs, settings.IDEAS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "ideas/idea_list.html",
        {
            "filter": ideas,
            "page": page,
            "sort": ideas.sort_chosen,
            "challenge": ideas.chosen_challenge,
            # The viewer's votes on the whole page in one query (none for a visitor).
            "vote_boxes": selectors.vote_boxes_for(request.user, page.object_list, listed=True),
            "query": query.urlencode(),
        },
    )
