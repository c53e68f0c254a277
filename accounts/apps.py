from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("Members and roles")

    def ready(self):
        from . import personal_data  # imports the models: only once the apps are loaded

        personal_data.register_sections()
