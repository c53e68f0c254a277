"""``/admin/login/`` signs nobody in: staff sign in on the portal's own page.

Django's admin login form authenticates with no throttle, so a staff password could be guessed
there as fast as requests go, while the portal's sign-in (allauth) locks an address after 5 wrong
passwords (``ACCOUNT_RATE_LIMITS["login_failed"]``) and throttles each IP. This view takes the
admin's login URL: a visitor is sent to the portal's sign-in with ``next=`` the admin page they
wanted; a POST (a password typed into a form that no longer exists, or a script) checks nothing and
is sent there too; a member signed in without triage rights is told so (403), not sent round in a
loop between the two login pages.
"""

from urllib.parse import urlencode

from django.contrib import admin
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from .redirects import safe_next_url


def _admin_next(request) -> str:
    return safe_next_url(request, request.GET.get("next"), reverse("admin:index"))


@never_cache
def admin_login(request):
    next_url = _admin_next(request)
    if request.method == "GET" and request.user.is_authenticated:
        if admin.site.has_permission(request):
            return HttpResponseRedirect(next_url)
        return render(request, "admin_login_refused.html", status=403)
    # 303: the browser follows with a GET, so a password posted here is never checked anywhere.
    response = HttpResponseRedirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")
    response.status_code = 303
    return response
