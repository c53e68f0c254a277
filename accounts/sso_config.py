"""Single sign-on providers read from the environment (imported by the settings: no Django models).

One or several OpenID Connect providers (any issuer: Entra ID, Okta, Google Workspace, Keycloak)
and SAML 2.0 identity providers, each under an id of the deployer's choosing::

    OIDC_PROVIDERS=acme
    OIDC_ACME_NAME=Acme              # the button says "Sign in with Acme"
    OIDC_ACME_SERVER_URL=https://login.acme.example/realms/staff   # the issuer
    OIDC_ACME_CLIENT_ID=idea-portal
    OIDC_ACME_SECRET=...
    OIDC_ACME_STAFF_ONLY=0           # 1: only staff may sign in with it
    OIDC_ACME_ALLOWED_DOMAINS=acme.example,acme.co.uk   # empty: any address
    OIDC_ACME_ROLES_CLAIM=groups     # empty: roles are not taken from the provider
    OIDC_ACME_TRIAGE_ROLES=idea-triage
    OIDC_ACME_MENTOR_ROLES=idea-mentors

The same policy keys (``staff_only``, ``allowed_domains``, ``roles_claim``, ``roles``) can be set
in the admin on a Social application's "settings" (accounts.sso reads them from either).
"""

import os

from django.core.exceptions import ImproperlyConfigured


def _get(environ, name: str, default: str = "") -> str:
    return environ.get(name, default).strip()


def _list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def _bool(environ, name: str) -> bool:
    value = _get(environ, name).lower()
    if value in {"", "0", "false", "no", "off"}:
        return False
    if value in {"1", "true", "yes", "on"}:
        return True
    raise ImproperlyConfigured(f"{name} must be 1 or 0 (true/false), not {value!r}.")


def _required(environ, name: str, why: str) -> str:
    value = _get(environ, name)
    if not value:
        raise ImproperlyConfigured(f"Set the environment variable {name}: {why}.")
    return value


def _policy(environ, prefix: str) -> dict:
    return {
        "staff_only": _bool(environ, f"{prefix}_STAFF_ONLY"),
        "allowed_domains": [domain.lower().lstrip("@") for domain in _list(_get(environ, f"{prefix}_ALLOWED_DOMAINS"))],
        "roles_claim": _get(environ, f"{prefix}_ROLES_CLAIM"),
        "roles": {
            "triage": _list(_get(environ, f"{prefix}_TRIAGE_ROLES")),
            "mentor": _list(_get(environ, f"{prefix}_MENTOR_ROLES")),
        },
    }


def _provider_ids(environ, name: str) -> list[str]:
    ids = _list(_get(environ, name))
    for provider_id in ids:
        if not provider_id.replace("_", "").replace("-", "").isalnum():
            raise ImproperlyConfigured(f"{name}: {provider_id!r} is not a valid id (letters, digits, - and _).")
    return ids


def oidc_apps(environ=None) -> list[dict]:
    """allauth's ``openid_connect`` APPS, one per id listed in OIDC_PROVIDERS."""
    environ = os.environ if environ is None else environ
    apps = []
    for provider_id in _provider_ids(environ, "OIDC_PROVIDERS"):
        prefix = f"OIDC_{provider_id.upper().replace('-', '_')}"
        apps.append(
            {
                "provider_id": provider_id.lower(),
                "name": _get(environ, f"{prefix}_NAME") or provider_id,
                "client_id": _required(environ, f"{prefix}_CLIENT_ID", "the client id the provider gave the portal"),
                "secret": _required(environ, f"{prefix}_SECRET", "the client secret the provider gave the portal"),
                "settings": {
                    "server_url": _required(
                        environ,
                        f"{prefix}_SERVER_URL",
                        "the provider's issuer URL (where /.well-known/openid-configuration is)",
                    ),
                    "oauth_pkce_enabled": True,
                    **_policy(environ, prefix),
                },
            }
        )
    return apps


def saml_apps(environ=None) -> list[dict]:
    """allauth's ``saml`` APPS, one per id listed in SAML_PROVIDERS (the id is the URL's organisation
    slug: /accounts/saml/<id>/metadata/ is what the identity provider imports)."""
    environ = os.environ if environ is None else environ
    apps = []
    for provider_id in _provider_ids(environ, "SAML_PROVIDERS"):
        prefix = f"SAML_{provider_id.upper().replace('-', '_')}"
        idp = {"entity_id": _required(environ, f"{prefix}_IDP_ENTITY_ID", "the identity provider's entity id")}
        if metadata_url := _get(environ, f"{prefix}_IDP_METADATA_URL"):
            idp["metadata_url"] = metadata_url
        else:
            idp["sso_url"] = _required(
                environ, f"{prefix}_IDP_SSO_URL", "the identity provider's sign-in URL (or set _IDP_METADATA_URL)"
            )
            idp["x509cert"] = _required(
                environ, f"{prefix}_IDP_X509CERT", "the identity provider's signing certificate"
            )
        apps.append(
            {
                # allauth keys a SAML app by the identity provider's entity id; the client id is the
                # organisation slug of the portal's URLs for it.
                "provider_id": idp["entity_id"],
                "name": _get(environ, f"{prefix}_NAME") or provider_id,
                "client_id": provider_id.lower(),
                "settings": {
                    "idp": idp,
                    "attribute_mapping": {
                        "email": _get(environ, f"{prefix}_EMAIL_ATTRIBUTE")
                        or "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
                        "first_name": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
                        "last_name": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
                    },
                    "verified_email": True,
                    "email_authentication": True,
                    **_policy(environ, prefix),
                },
            }
        )
    return apps
