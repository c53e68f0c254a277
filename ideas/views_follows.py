"""HTTP for following ideas (challenges: ``challenges.views.challenge_follow``): POST to follow or unfollow, in place with htmx or as a plain form.

GET returns the follow card for htmx (a page that did not render the card loads it this way);
a plain GET goes back to the page. Anything the member may not see is a 404.
"""

from django.http import Http404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.follows import follow_toggle

from . import selectors, services
from .models import Idea


@require_http_methods(["GET", "POST"])
def idea_follow(request, pk: int):
    try:
        idea = selectors.idea_visible_get(request.user, pk=pk)
    except Idea.DoesNotExist:
        raise Http404("No such idea.") from None
    return follow_toggle(
        request,
        target=idea,
        follow=lambda: services.idea_follow(user=request.user, idea=idea),
        unfollow=lambda: services.idea_unfollow(user=request.user, idea=idea),
        refused=services.IdeaError,
        template="ideas/_follow.html",
        state=lambda: {"idea": idea, "idea_follow": selectors.idea_follow_state(request.user, idea)},
        messages_for={
            "follow": _("You follow this idea."),
            "unfollow": _("You no longer follow this idea."),
        },
    )
