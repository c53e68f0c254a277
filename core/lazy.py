"""once(): a value computed the first time a template asks for it, then kept for the request."""


def once(compute):
    """A callable that computes ``compute()`` on its first call and returns the same value after.

    Templates call callables they find in the context, so a context processor can offer a value
    that costs a query only on pages that show it. (``functools.cache`` does the same but costs
    more to build than the query it saves on a fragment.)
    """
    missing = object()
    value = missing

    def get():
        nonlocal value
        if value is missing:
            value = compute()
        return value

    return get
