from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    """Signed webhooks to the company's systems, driven by the notification outbox (top layer)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self):
        from notifications.registry import event_listener_register

        from . import notification_kinds, personal_data, services

        notification_kinds.register_kinds()
        personal_data.register_rules()
        event_listener_register(services.deliveries_create_for_event)
