"""The token's scopes, checked before any view runs. Who may see or change a given object is not
decided here: the views ask the domain apps' rules and services, as the pages do."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .models import ApiToken, Scope


def required_scope(request, view) -> str:
    """The scope a request needs: the view's ``required_scope`` (staff endpoints), else read or write by method."""
    return getattr(view, "required_scope", None) or (Scope.READ if request.method in SAFE_METHODS else Scope.WRITE)


class TokenScope(BasePermission):
    """Reads are open to visitors (what the pages show them); writes and staff endpoints need a member.

    With a token, the token must hold the scope (write and staff include read); with a session, the
    member may do through the API what the pages let them do.
    """

    def has_permission(self, request, view):
        scope = required_scope(request, view)
        if not request.user.is_authenticated:
            if scope == Scope.READ:
                return True
            raise NotAuthenticated(_("Sign in, or send a personal access token: Authorization: Bearer <token>."))
        token = request.auth if isinstance(request.auth, ApiToken) else None
        if token is not None and not token.has_scope(scope):
            self.message = _("This token does not have the “%(scope)s” scope this request needs.") % {"scope": scope}
            return False
        return True
