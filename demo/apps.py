from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data (``manage.py demo``) and the scale seeder (``manage.py seed_scale``): they write
    through every app's models and services, so they sit on top of all of them."""

    name = "demo"
    verbose_name = _("Demo and scale seeding")
