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

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse

from challenges.selectors import challenge_visible_to

from . import selectors
from .models import Comment, Idea

View = Callable[..., HttpResponse]


def _back_here_or(request: HttpRequest, page: str) -> str:
    """Where to come back after signing in: this page for a GET, else the page the form was on."""
    return request.get_full_path() if request.method in ("GET", "HEAD") else page


def challenge_login_required(view: View) -> View:
    """For a view of the challenge ``slug``: a visitor may sign in only where the challenge is public."""

    @wraps(view)
    def wrapper(request: HttpRequest, slug: str, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            challenge = challenge_visible_to(request.user).filter(slug=slug).first()
            if challenge is None:
                raise Http404("No such challenge.")
            return redirect_to_login(_back_here_or(request, challenge.get_absolute_url()))
        return view(request, slug, *args, **kwargs)

    return wrapper


def idea_login_required(view: View) -> View:
    """For a view of the idea ``pk``: a visitor may sign in only where they may see the idea."""

    @wraps(view)
    def wrapper(request: HttpRequest, pk: int, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            try:
                idea = selectors.idea_visible_get(request.user, pk=pk)
            except Idea.DoesNotExist:
                raise Http404("No such idea.") from None
            return redirect_to_login(_back_here_or(request, idea.get_absolute_url()))
        return view(request, pk, *args, **kwargs)

    return wrapper


def comment_login_required(view: View) -> View:
    """For a view of the comment ``pk``: a visitor may sign in only where they may see its idea."""

    @wraps(view)
    def wrapper(request: HttpRequest, pk: int, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            try:
                comment = selectors.comment_for(request.user, pk=pk)
            except Comment.DoesNotExist:
                raise Http404("No such comment.") from None
            return redirect_to_login(_back_here_or(request, selectors.comment_url(comment)))
        return view(request, pk, *args, **kwargs)

    return wrapper
