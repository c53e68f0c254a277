from django.apps import AppConfig


class IdeasConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ideas"

    def ready(self):
        from ideaportal import pagecache

        from . import notification_kinds, personal_data  # import the models: only once the apps are loaded

        pagecache.install()
        notification_kinds.register_kinds()
        personal_data.register_sections()
