from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "privacy"
    verbose_name = "Personal data"

    def ready(self):
        # Django's own tables the privacy app answers for: the admin's log of a staff member's changes.
        from . import ground

        ground.register()
