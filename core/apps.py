from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The shared kernel: page cache, pagination, widgets, Markdown, safe redirects, the admin's and
    email's shared pieces. It imports no app of the portal (docs/ARCHITECTURE.md, "Layers")."""

    name = "core"
    verbose_name = _("Shared kernel")

    def ready(self):
        from . import pagecache, visible_text

        # Every form's text fields refuse invisible-only text (the portal's, allauth's, the admin's).
        visible_text.install()
        # Any committed write to a table a public page shows clears the page cache.
        pagecache.install()
