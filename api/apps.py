from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The REST API, version 1: the top layer over the domain apps (no domain app imports it)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "api"
    verbose_name = _("API")

    def ready(self):
        from . import (
            personal_data,
            schema,  # noqa: F401 - registers the OpenAPI extension of the token authentication
        )

        personal_data.register_sections()
