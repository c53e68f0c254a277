from . import selectors


def unread_notifications(request):
    """The header's unread count: no query for visitors, one for members."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications_count": selectors.unread_count(user)}
