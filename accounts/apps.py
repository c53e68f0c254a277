from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "Members and roles"

    def ready(self):
        from ideaportal import visible_text

        # Every form's text fields refuse invisible-only text (the portal's, allauth's, the admin's).
        visible_text.install()
