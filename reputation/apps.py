from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReputationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reputation"
    verbose_name = _("Reputation")

    def ready(self):
        from . import personal_data  # imports the models: only once the apps are loaded

        personal_data.register_sections()
