"""Sign-in for pages of a challenge, an idea or a comment, without telling a visitor what exists.

Django's ``login_required`` sends every visitor to sign in, so a visitor who opens the submit page
of an invite-only challenge learns that it exists (a missing one would be a 404 once signed in).
These ask first whether a visitor may see the challenge, idea or comment at all: if not, the same
404 as for one that never existed; if so, sign in and come back. Signed-in members pass through
to the view, which asks its own rules (``can_view_challenge``, ``visible_ideas_q``) as before.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse

from challenges.selectors import challenge_visible_to

from . import selectors
from .models import Comment, Idea

View = Callable[..., HttpResponse]


def _back_here_or(request: HttpRequest, page: str) -> str:
    """Where to come back after signing in: this page for a GET, else the page the form was on."""
    return request.get_full_path() if request.method in ("GET", "HEAD") else page


def _sign_in_unless_hidden(key: str, page_of: Callable[[HttpRequest, Any], str | None], missing: str):
    """A decorator for views of one thing named by the URL's ``key``: ``page_of(request, value)`` is the
    thing's page if the visitor may see it, else None (then the 404 ``missing``)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                page = page_of(request, kwargs[key])
                if page is None:
                    raise Http404(missing)
                return redirect_to_login(_back_here_or(request, page))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _challenge_page(request: HttpRequest, slug: str) -> str | None:
    challenge = challenge_visible_to(request.user).filter(slug=slug).first()
    return challenge.get_absolute_url() if challenge is not None else None


def _idea_page(request: HttpRequest, pk: int) -> str | None:
    try:
        return selectors.idea_visible_get(request.user, pk=pk).get_absolute_url()
    except Idea.DoesNotExist:
        return None


def _comment_page(request: HttpRequest, pk: int) -> str | None:
    try:
        return selectors.comment_url(selectors.comment_for(request.user, pk=pk))
    except Comment.DoesNotExist:
        return None


# For a view of the challenge ``slug``: a visitor may sign in only where the challenge is public.
challenge_login_required = _sign_in_unless_hidden("slug", _challenge_page, "No such challenge.")
# For a view of the idea ``pk``: a visitor may sign in only where they may see the idea.
idea_login_required = _sign_in_unless_hidden("pk", _idea_page, "No such idea.")
# For a view of the comment ``pk``: a visitor may sign in only where they may see its idea.
comment_login_required = _sign_in_unless_hidden("pk", _comment_page, "No such comment.")
