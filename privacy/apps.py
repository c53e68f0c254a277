from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "privacy"
    verbose_name = _("Personal data")

    def ready(self):
        # Django's own tables the privacy app answers for: the admin's log of a staff member's changes.
        from . import ground

        ground.register()
