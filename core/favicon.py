"""``/favicon.ico``: browsers and feed readers ask for it at the site's root whatever the page links."""

from django.http import HttpResponseRedirect
from django.templatetags.static import static
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_http_methods


@require_http_methods(["GET", "HEAD"])
def favicon(request):
    """A redirect to the icon in the static files (its hashed, long-cached address in production).

    Not permanent: the hashed address changes with the icon; a day's cache spares the request.
    """
    response = HttpResponseRedirect(static("favicon.ico"))
    patch_cache_control(response, public=True, max_age=86400)
    return response
