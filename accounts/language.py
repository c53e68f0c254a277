"""The language a person reads the portal in.

A member's own choice (``User.language``, set on their preferences page) comes first; then, for
everyone, what the browser asks for (``Accept-Language``) or the language switcher's cookie; then
the site default (``settings.LANGUAGE_CODE``, from ``SITE_LANGUAGE``). Emails and digests are
written in the recipient's language (``language_for``), never in the language of whoever caused
them.
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

SUPPORTED = frozenset(code for code, _name in settings.LANGUAGES)


def language_for(user) -> str:
    """The language to write to ``user`` in when no request is at hand (emails, digests, tasks)."""
    chosen = getattr(user, "language", "") or ""
    return chosen if chosen in SUPPORTED else settings.LANGUAGE_CODE


class MemberLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, with a signed-in member's own choice before the browser's."""

    def process_request(self, request):
        user = getattr(request, "user", None)
        chosen = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if chosen in SUPPORTED:
            translation.activate(chosen)
            request.LANGUAGE_CODE = translation.get_language()
            return
        super().process_request(request)
