"""HTTP for the idea lists: across challenges, or one challenge's (``?challenge=<slug>``)."""

from django.conf import settings
from django.http import QueryDict
from django.shortcuts import render
from django.utils.translation import gettext

from challenges.selectors import challenge_visible_to
from core.pagecache import cache_public_page
from core.pagination import CappedPaginator

from . import selectors
from .filters import IdeaFilter
from .views_fragments import idea_cards_set


def _page_number(asked: str | None) -> int | None:
    """The page number asked for, or None when ``asked`` is not one (absent, a word, 0, -1, "²")."""
    asked = (asked or "").strip()
    return int(asked) if asked.isascii() and asked.isdigit() and 0 < len(asked) <= 9 and int(asked) > 0 else None


@cache_public_page(params=(*IdeaFilter.base_filters, "page"))
def idea_list(request):
    ideas = IdeaFilter(
        request.GET,
        queryset=selectors.idea_list_for(request.user).published(),
        challenges=challenge_visible_to(request.user),
        request=request,
        lenient=True,
    )
    paginator = CappedPaginator(ideas.qs, settings.IDEAS_PER_PAGE)
    asked = request.GET.get("page")
    number = _page_number(asked)
    page = paginator.get_page(number or 1)
    left_out = list(ideas.left_out)
    if (asked or "").strip() and number is None:
        left_out.append(gettext("That is not a page number, so the first page is shown."))
    elif number is not None and number > page.number:
        left_out.append(gettext("The list has fewer pages than that, so its last page is shown."))
    # The links to other pages keep the filters that were used, not the values left out.
    query = QueryDict(mutable=True)
    for name in IdeaFilter.base_filters:
        if name in ideas.data and name in request.GET:
            query.setlist(name, ideas.data.getlist(name))
    # The viewer's votes on the whole page in one query (none for a visitor); the cards kept for
    # every viewer (one cache read) with each vote box filled in.
    vote_boxes = selectors.vote_boxes_for(request.user, page.object_list, listed=True)
    idea_cards_set(request, page.object_list, vote_boxes=vote_boxes, sort=ideas.sort_chosen)
    return render(
        request,
        "ideas/idea_list.html",
        {
            "filter": ideas,
            "page": page,
            "sort": ideas.sort_chosen,
            "challenge": ideas.chosen_challenge,
            "vote_boxes": vote_boxes,
            "query": query.urlencode(),
            "left_out": left_out,
        },
    )
