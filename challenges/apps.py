from django.apps import AppConfig


class ChallengesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "challenges"

    def ready(self):
        from . import notification_kinds, personal_data  # import the models: only once the apps are loaded

        notification_kinds.register_kinds()
        personal_data.register_sections()
