"""Who may erase an account now."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from allauth.account import app_settings as account_settings
from allauth.account.internal.flows.login import get_authentication_records

if TYPE_CHECKING:
    from django.http import HttpRequest


def signed_in_recently(request: HttpRequest) -> bool:
    """Whether this session's member signed in (by any method, single sign-on included) within
    allauth's reauthentication window (ACCOUNT_REAUTHENTICATION_TIMEOUT, 5 minutes by default).
    allauth cannot ask a member who has only single sign-on for a password, so the erasure of such
    an account asks them to sign in at their company's provider again instead."""
    records = get_authentication_records(request, request.user)
    newest = max((record.get("at", 0) for record in records), default=0)
    return time.time() - newest <= account_settings.REAUTHENTICATION_TIMEOUT


def may_erase_without_password(request: HttpRequest) -> bool:
    user = request.user
    return user.is_authenticated and not user.has_usable_password() and signed_in_recently(request)
