from core.lazy import once

from . import rules


def roles(request):
    """The signed-in member's roles, for the navigation. Lazy: asked only where a template shows them
    (htmx fragments mostly do not); ``rules`` caches the member's groups for the request."""
    user = request.user
    return {
        "user_is_triage": once(lambda: rules.is_triage(user)),
        "user_is_mentor": once(lambda: rules.is_mentor(user)),
    }
