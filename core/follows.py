"""The follow button's request handling, shared by the ideas' and the challenges' follow views."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from .redirects import safe_next_url


def follow_toggle(
    request,
    *,
    target,
    follow: Callable[[], object],
    unfollow: Callable[[], object],
    refused: type[Exception],
    template: str,
    state: Callable[[], dict],
    messages_for: dict[str, str],
):
    """Run follow() or unfollow() as the POST asks, then answer: the card for htmx, else back to the page.

    ``refused`` is the service's error for a member who may not follow ``target``: its message is
    shown on the card (htmx) or as a message on the page.
    """
    if request.method == "GET" and not request.htmx:
        return redirect(target)
    if request.method == "POST" and not request.user.is_authenticated and not request.htmx:
        return redirect_to_login(target.get_absolute_url())
    done = error = None
    if request.method == "POST" and request.user.is_authenticated:
        action = request.POST.get("action")
        if action not in messages_for:
            return HttpResponseBadRequest(gettext("Say follow or unfollow."))
        try:
            (follow if action == "follow" else unfollow)()
            done = messages_for[action]
        except refused as refusal:
            error = str(refusal)
    if request.htmx:
        return render(request, template, {**state(), "follow_error": error})
    if error:
        messages.error(request, error)
    elif done:
        messages.success(request, done)
    return redirect(safe_next_url(request, request.POST.get("next"), target.get_absolute_url()))
