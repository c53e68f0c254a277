from django.apps import AppConfig


class ScoringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "scoring"

    def ready(self):
        from . import personal_data  # imports the models: only once the apps are loaded

        personal_data.register_sections()
