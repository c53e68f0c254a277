"""A real OpenID Connect provider for the single sign-on browser test, run on the loopback as a
subprocess: django-oauth-toolkit with OIDC_ENABLED, its own settings and SQLite database, an RSA
key the test generates. Nothing of the portal is imported here."""
