from django.apps import AppConfig


class BaselineConfig(AppConfig):
    """Two trivial views the load benchmark (bench/load.py) measures the portal's pages against."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "baseline"
    verbose_name = "Benchmark baseline"
