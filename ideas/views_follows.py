"""HTTP for following ideas and challenges: POST to follow or unfollow, in place with htmx or as a plain form.

GET returns the follow card for htmx (a page that did not render the card loads it this way);
a plain GET goes back to the page. Anything the member may not see is a 404.
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from challenges.models import Challenge
from challenges.selectors import challenge_visible_to

from . import selectors, services
from .models import Idea


def _is_local(url: str | None) -> bool:
    return bool(url) and url.startswith("/") and not url.startswith("//")


def _follow(request, *, target, follow, unfollow, template: str, state, messages_for: dict):
    """Run follow() or unfollow() as the POST asks, then answer: the card for htmx, else back to the page."""
    if request.method == "GET" and not request.htmx:
        return redirect(target)
    if request.method == "POST" and not request.user.is_authenticated and not request.htmx:
        return redirect_to_login(target.get_absolute_url())
    done = error = None
    if request.method == "POST" and request.user.is_authenticated:
        action = request.POST.get("action")
        if action not in messages_for:
            return HttpResponseBadRequest("Say follow or unfollow.")
        try:
            (follow if action == "follow" else unfollow)()
            done = messages_for[action]
        except services.IdeaError as refusal:
            error = str(refusal)
    if request.htmx:
        return render(request, template, {**state(), "follow_error": error})
    if error:
        messages.error(request, error)
    elif done:
        messages.success(request, done)
    next_url = request.POST.get("next")
    return redirect(next_url if _is_local(next_url) else target.get_absolute_url())


@require_http_methods(["GET", "POST"])
def idea_follow(request, pk: int):
    try:
        idea = selectors.idea_visible_get(request.user, pk=pk)
    except Idea.DoesNotExist:
        raise Http404("No such idea.") from None
    return _follow(
        request,
        target=idea,
        follow=lambda: services.idea_follow(user=request.user, idea=idea),
        unfollow=lambda: services.idea_unfollow(user=request.user, idea=idea),
        template="ideas/_follow.html",
        state=lambda: {"idea": idea, "idea_follow": selectors.idea_follow_state(request.user, idea)},
        messages_for={
            "follow": "You follow this idea.",
            "unfollow": "You no longer follow this idea.",
        },
    )


@require_http_methods(["GET", "POST"])
def challenge_follow(request, slug: str):
    try:
        challenge = challenge_visible_to(request.user).get(slug=slug)
    except Challenge.DoesNotExist:
        raise Http404("No such challenge.") from None
    return _follow(
        request,
        target=challenge,
        follow=lambda: services.challenge_follow(user=request.user, challenge=challenge),
        unfollow=lambda: services.challenge_unfollow(user=request.user, challenge=challenge),
        template="challenges/_follow.html",
        state=lambda: {
            "challenge": challenge,
            "challenge_follow": selectors.challenge_follow_state(request.user, challenge),
        },
        messages_for={
            "follow": "You follow this challenge.",
            "unfollow": "You no longer follow this challenge.",
        },
    )
