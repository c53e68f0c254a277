from django.apps import AppConfig


class ChallengesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "challenges"

    def ready(self):
        from . import notification_kinds  # imports the models: only once the apps are loaded

        notification_kinds.register_kinds()
