"""Throttling per token (a session: per member; no credentials: per address), in the cache.

Rates are settings (API_THROTTLE_RATES: anonymous, read, write), read on every request so a change
of settings applies at once. The cache fails open (core.cache): with Redis down, nothing is
throttled rather than everything refused.
"""

from django.conf import settings
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import SimpleRateThrottle

from .models import ApiToken


class PerTokenThrottle(SimpleRateThrottle):
    def __init__(self):
        # The rate depends on the request (SimpleRateThrottle reads it at construction): see allow_request.
        pass

    def allow_request(self, request, view):
        if not request.user.is_authenticated:
            self.scope = "anonymous"
        else:
            self.scope = "read" if request.method in SAFE_METHODS else "write"
        self.rate = settings.API_THROTTLE_RATES[self.scope]
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            who = f"token-{request.auth.pk}"
        elif request.user.is_authenticated:
            who = f"member-{request.user.pk}"
        else:
            who = f"address-{self.get_ident(request)}"
        return f"api-throttle:{self.scope}:{who}"
