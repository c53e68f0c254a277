"""Who may hold which token, and who may revoke one. What a token's holder may then do through the
API is decided by the domain apps' own rules, exactly as on the pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from accounts.rules import is_staff_member

from .models import Scope

if TYPE_CHECKING:
    from accounts.types import Visitor

    from .models import ApiToken


def token_scopes_refusal(user: Visitor, scopes: list[str]) -> str | None:
    """Why the user may not create a token with these scopes, or None if they may."""
    if not user.is_authenticated or not user.is_active:
        return _("Sign in to create an API token.")
    scopes = list(scopes or [])
    if not scopes:
        return _("Choose at least one scope.")
    unknown = sorted(set(scopes) - set(Scope.values))
    if unknown:
        return _("Unknown scope: %(scopes)s. The scopes are read, write and staff.") % {"scopes": ", ".join(unknown)}
    if Scope.STAFF in scopes and not can_hold_staff_scope(user):
        return _("Only staff members can create a token with the staff scope.")
    return None


def can_hold_staff_scope(user: Visitor) -> bool:
    """Staff (the Django staff flag, or a superuser) may hold the staff scope; what it then allows is
    still decided per endpoint by the domain rules (triage staff for status changes, screenings…)."""
    return is_staff_member(user)


def token_revoke_refusal(user: Visitor, token: ApiToken) -> str | None:
    """The token's owner revokes it; so do staff who may change tokens in the admin."""
    if not user.is_authenticated:
        return _("Sign in to revoke a token.")
    if token.user_id == user.pk or (is_staff_member(user) and user.has_perm("api.change_apitoken")):
        return None
    return _("This token is not yours.")
