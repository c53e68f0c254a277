from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The audit log of staff actions (ground layer: it imports no domain app; they call it)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "audit"
    verbose_name = "Audit log"
