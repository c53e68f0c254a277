from django.apps import AppConfig


class PagesConfig(AppConfig):
    """Pages that compose several apps (the home page): on top, so no domain app imports them."""

    name = "pages"
    verbose_name = "Pages"
