"""Pieces the apps' admin classes share."""


class ReadOnlyAdminMixin:
    """Staff read these records; only the services write them. Fits a ModelAdmin and an inline."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def safe_next_url(request, fallback: str, *, param: str = "next") -> str:
    """Where a staff page sends its user after a change: ``param`` from the POST or the query string if
    it is a path on this site (issue 16: "back to where staff came from"), otherwise ``fallback``."""
    from django.utils.http import url_has_allowed_host_and_scheme

    wanted = request.POST.get(param) or request.GET.get(param) or ""
    if (
        wanted.startswith("/")
        and not wanted.startswith("//")
        and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}, require_https=False)
    ):
        return wanted
    return fallback
