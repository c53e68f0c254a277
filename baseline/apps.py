from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BaselineConfig(AppConfig):
    """Two trivial views the load benchmark (bench/load.py) measures the portal's pages against."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "baseline"
    verbose_name = _("Benchmark baseline")
