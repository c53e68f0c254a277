from django.apps import AppConfig


class InnovatorsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "innovators"
    verbose_name = "Innovators"
