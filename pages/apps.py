from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PagesConfig(AppConfig):
    """Pages that compose several apps (the home page): on top, so no domain app imports them."""

    name = "pages"
    verbose_name = _("Pages")
