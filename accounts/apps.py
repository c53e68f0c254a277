from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "Members and roles"

    def ready(self):
        from ideaportal import visible_text

        from . import personal_data  # imports the models: only once the apps are loaded

        personal_data.register_sections()

        # Every form's text fields refuse invisible-only text (the portal's, allauth's, the admin's).
        visible_text.install()
