from core.lazy import once

from . import selectors


def unread_notifications(request):
    """The header's unread count: no query for visitors, one for members on a page that shows it.

    Lazy: the template calls it where the header asks, so htmx fragments (no header) ask nothing.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications_count": once(lambda: selectors.unread_count(user))}
