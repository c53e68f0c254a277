"""Single sign-on policy: allauth's social-account adapter, applying each provider's settings.

A provider's settings (from the environment, accounts/sso_config.py, or the admin's Social
application "settings" JSON) may say:

- ``allowed_domains``: only addresses of these domains may sign in with it;
- ``staff_only``: only staff may sign in with it (a member who is staff already, or whom the
  roles claim makes Triage staff);
- ``roles_claim`` and ``roles``: the claim (e.g. ``groups``) whose values map to the portal's roles,
  ``{"triage": [...], "mentor": [...]}``; applied on every sign-in, so a change at the company's
  directory reaches the portal the next time the member signs in.

A refusal is a page that says why (403), and nothing is created or connected.
"""

import logging
from urllib.parse import urlsplit

from allauth.account.models import EmailAddress
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from django.shortcuts import render
from django.utils.translation import gettext as _

from . import services

logger = logging.getLogger(__name__)


def provider_policy(sociallogin) -> dict:
    app = getattr(sociallogin.provider, "app", None)
    return dict(app.settings or {}) if app is not None else {}


def _claims(sociallogin) -> dict:
    data = sociallogin.account.extra_data or {}
    # allauth's openid_connect keeps the userinfo (or the ID token's claims); SAML its attributes.
    return data.get("userinfo", data) if isinstance(data.get("userinfo"), dict) else data


def _claim_values(claims: dict, name: str) -> set[str]:
    value = claims.get(name)
    if value is None:
        return set()
    if isinstance(value, str):
        return {part for part in value.replace(",", " ").split() if part}
    if isinstance(value, list | tuple):
        return {str(item) for item in value}
    return {str(value)}


def roles_from_claims(policy: dict, claims: dict) -> set[str] | None:
    """The portal roles the provider's claim gives, or None when the provider maps no roles."""
    claim = policy.get("roles_claim")
    if not claim:
        return None
    values = _claim_values(claims, claim)
    mapping = policy.get("roles") or {}
    return {role for role in ("triage", "mentor") if values & set(mapping.get(role) or [])}


def sign_in_email(sociallogin) -> str:
    if sociallogin.user is not None and sociallogin.user.email:
        return sociallogin.user.email
    for address in sociallogin.email_addresses:
        if address.email:
            return address.email
    return ""


def refusal(policy: dict, sociallogin, *, roles: set[str] | None) -> str | None:
    """Why this sign-in is refused under the provider's policy, or None."""
    provider_name = sociallogin.provider.name
    email = sign_in_email(sociallogin)
    domains = [domain.lower() for domain in policy.get("allowed_domains") or []]
    if domains and email.rpartition("@")[2].lower() not in domains:
        if not email:
            return _(
                "Signing in with %(provider)s is open to addresses at %(domains)s only, "
                "and your account's address is not given."
            ) % {"provider": provider_name, "domains": ", ".join(domains)}
        return _(
            "Signing in with %(provider)s is open to addresses at %(domains)s only, "
            "and your account's address is %(email)s."
        ) % {"provider": provider_name, "domains": ", ".join(domains), "email": email}
    if policy.get("staff_only"):
        existing_staff = sociallogin.is_existing and sociallogin.user.is_staff
        if not existing_staff and "triage" not in (roles or set()):
            return _("Signing in with %(provider)s is for the portal's staff only.") % {"provider": provider_name}
    return None


class PortalSocialAccountAdapter(DefaultSocialAccountAdapter):
    def pre_social_login(self, request, sociallogin):
        """After the provider vouched for the member, before anything is saved: refuse what the
        policy refuses; for a member already known (connected, or found by confirmed address),
        bring the roles up to date."""
        policy = provider_policy(sociallogin)
        roles = roles_from_claims(policy, _claims(sociallogin))
        reason = refusal(policy, sociallogin, roles=roles)
        if reason:
            logger.info("Single sign-on refused (%s): %s", sociallogin.provider.id, reason)
            response = render(
                request,
                "accounts/sso_refused.html",
                {"reason": reason, "provider_name": sociallogin.provider.name},
                status=403,
            )
            raise ImmediateHttpResponse(response)
        if sociallogin.is_existing and roles is not None:
            services.member_roles_sync(user=sociallogin.user, roles=roles)

    def populate_user(self, request, sociallogin, data):
        """A first sign-in: the display name is the provider's ``name`` claim."""
        user = super().populate_user(request, sociallogin, data)
        name = (data.get("name") or _claims(sociallogin).get("name") or "").strip()
        if not name:
            name = " ".join(part for part in (data.get("first_name"), data.get("last_name")) if part)
        user.display_name = name[: user._meta.get_field("display_name").max_length]
        return user

    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form=form)
        roles = roles_from_claims(provider_policy(sociallogin), _claims(sociallogin))
        if roles is not None:
            services.member_roles_sync(user=user, roles=roles)
        return user

    def authenticate_by_email(self, sociallogin):
        """Connect to an existing member only through an address that member confirmed here too:
        an unconfirmed address anyone could have typed at sign-up never takes over an account."""
        found = super().authenticate_by_email(sociallogin)
        if found is None:
            return None
        user, email = found
        if not EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists():
            return None
        return found


def _origin(url: str) -> str | None:
    parts = urlsplit(url or "")
    if parts.scheme in {"http", "https"} and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None


def provider_origins(request) -> list[str]:
    """Where the sign-in forms send the browser: each provider's issuer (OpenID Connect) or sign-in
    URL (SAML), from the settings and the admin's Social applications."""
    origins = set()
    for app in get_social_adapter(request).list_apps(request):
        settings = app.settings or {}
        idp = settings.get("idp") or {}
        for url in (settings.get("server_url"), idp.get("sso_url"), idp.get("metadata_url")):
            if origin := _origin(url):
                origins.add(origin)
    return sorted(origins)


def allow_provider_forms(request, response):
    """Let this page's forms lead to the configured providers (CSP form-action), for a view of the
    portal's own that shows "Sign in with ..." buttons."""
    origins = provider_origins(request)
    if origins:
        update = dict(getattr(response, "_csp_update", None) or {})
        update["form-action"] = [*update.get("form-action", []), *origins]
        response._csp_update = update
    return response


# allauth's pages with "Sign in with ..." forms (or whose form is followed by a provider's page).
SIGN_IN_PAGES = frozenset({"account_login", "account_signup", "account_reauthenticate", "socialaccount_connections"})


class SsoFormActionMiddleware:
    """The Content-Security-Policy says forms post to the portal only (form-action 'self'); browsers
    apply that to the redirect that follows a post too, so the sign-in pages' "Sign in with ..."
    forms, and each provider's own confirmation page, may also lead to the configured providers'
    origins (and to nothing else). Other pages keep 'self' alone and ask no query for it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = request.resolver_match
        name = match.url_name if match else None
        sign_in_page = bool(name) and (
            name in SIGN_IN_PAGES or (name.endswith("_login") and request.path.startswith("/accounts/"))
        )
        if sign_in_page and response.get("Content-Type", "").startswith("text/html"):
            allow_provider_forms(request, response)
        return response
