from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reviews"
    verbose_name = "Screening and mentoring"

    def ready(self):
        from . import notification_kinds  # imports the models: only once the apps are loaded

        notification_kinds.register_kinds()
