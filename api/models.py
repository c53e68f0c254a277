"""Personal access tokens: a member's key to the API, with scopes; only a hash of the secret is kept."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    """What a token may do. Write and staff include read (docs/API.md, "Scopes")."""

    READ = "read", _("Read")
    WRITE = "write", _("Write")
    STAFF = "staff", _("Staff")


class ApiToken(models.Model):
    """A personal access token. The secret is shown once, at creation; the row keeps its SHA-256.

    ``prefix`` (the token's first characters, not secret on its own) lets the member and staff
    recognise a token in a list without the secret.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. “CRM sync”.")
    prefix = models.CharField(max_length=20, unique=True, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False, help_text="SHA-256 of the token.")
    scopes = models.JSONField(default=list, help_text="Any of read, write, staff.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty: never expires.")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="apitoken_user_created"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="apitoken_name_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def audit_label(self) -> str:
        """How the audit log names the token: by its prefix, never by the name its owner typed (which
        may name them, and must go when they erase their account)."""
        return f"API token {self.prefix}…"

    def has_scope(self, scope: str) -> bool:
        """Write and staff include read."""
        scopes = set(self.scopes or [])
        return scope in scopes or (scope == Scope.READ and bool(scopes & {Scope.WRITE, Scope.STAFF}))

    def is_usable(self, now) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
