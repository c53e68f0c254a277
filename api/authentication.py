"""How an API request says who it is: a personal access token (``Authorization: Bearer <token>``),
or the browser's session with its CSRF token for unsafe methods."""

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication
from rest_framework.exceptions import AuthenticationFailed

from . import selectors, services


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """A personal access token in the Authorization header; unknown, revoked and expired tokens are refused (401)."""

    keyword = "bearer"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.encode():
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(_("Send the token as “Authorization: Bearer <token>”, with nothing else."))
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed(_("This is not a token of this portal.")) from None
        token = selectors.token_by_secret(services.token_hash(raw))
        if token is None:
            raise AuthenticationFailed(_("This is not a token of this portal."))
        now = timezone.now()
        if token.revoked_at is not None:
            raise AuthenticationFailed(_("This token was revoked."))
        if token.expires_at is not None and token.expires_at <= now:
            raise AuthenticationFailed(_("This token has expired."))
        if not token.user.is_active:
            raise AuthenticationFailed(_("The account this token belongs to is inactive."))
        services.token_touch(token=token, now=now)
        return token.user, token

    def authenticate_header(self, request):
        # Present, so a missing credential is a 401 (with this challenge), not a 403.
        return 'Bearer realm="api"'


class SessionAuthentication(authentication.SessionAuthentication):
    """The signed-in browser: the portal's session cookie; unsafe methods need the CSRF token
    (``X-CSRFToken``), as every form of the portal does."""
