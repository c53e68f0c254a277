"""The language switcher's view: the visitor's or member's choice of language."""

from django.conf import settings
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.utils import translation
from django.views.decorators.cache import never_cache

from core.redirects import next_url

from .language import SUPPORTED
from .models import User


@never_cache
def language_choose(request, code: str):
    """Set Django's language cookie and go back to ``next`` (this site's pages only, else home).

    Visitors follow a plain link (GET): the cached pages they come from carry no CSRF token and set
    no cookie. A signed-in member posts the choice (members' pages are never cached), and it is
    saved on their account too, so it beats Accept-Language and follows them to other browsers and
    into their emails. A GET from a member sets the cookie only: a link never changes an account.
    """
    if code not in SUPPORTED:
        raise Http404("No such language.")
    if request.method not in {"GET", "POST"}:
        return HttpResponseNotAllowed(["GET", "POST"])
    if request.method == "POST" and request.user.is_authenticated:
        User.objects.filter(pk=request.user.pk).update(language=code)
        request.user.language = code
    response = HttpResponseRedirect(next_url(request, "/"))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE or request.is_secure(),
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    translation.activate(code)
    return response
