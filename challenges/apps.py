from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChallengesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "challenges"
    verbose_name = _("Challenges and outcomes")

    def ready(self):
        from . import notification_kinds, personal_data  # import the models: only once the apps are loaded

        notification_kinds.register_kinds()
        personal_data.register_sections()
