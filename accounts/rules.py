"""Who a member is in the product: named role predicates used by every other app's rules."""

from __future__ import annotations

from typing import TYPE_CHECKING

from allauth.account.models import EmailAddress
from django.db.models import Q

from .models import MENTOR_GROUP, TRIAGE_GROUP

if TYPE_CHECKING:
    from .types import Visitor


# Who is staff, defined once. Staff: an account with staff status or a superuser. Members (the
# people the portal serves: metrics' participation, the innovator pool, the questionnaire) are the
# active accounts that are not staff. Triage staff: staff in the Triage group, or a superuser.
# Each rule has its queryset twin (``*_Q``) for the pages that count or list people in SQL.
STAFF_Q = Q(is_staff=True) | Q(is_superuser=True)
MEMBERS_Q = Q(is_active=True, is_staff=False, is_superuser=False)
TRIAGE_STAFF_Q = Q(is_superuser=True) | Q(is_staff=True, groups__name=TRIAGE_GROUP)
# Administrators: superusers (every permission; their own account is not erased from the portal).
ADMINISTRATORS_Q = Q(is_superuser=True)
# The user fields ``is_staff_member`` reads: a list that shows each row's badge ("Team" for staff)
# with ``.only(…)`` selects them, or every row loads them with a query of its own.
STAFF_FIELDS = ("is_active", "is_staff", "is_superuser")


def _group_names(user) -> frozenset[str]:
    # Cached on the user object: templates and rules ask several times per request.
    if not user.is_authenticated:
        return frozenset()
    if not hasattr(user, "_portal_group_names"):
        user._portal_group_names = frozenset(user.groups.values_list("name", flat=True))
    return user._portal_group_names


def is_triage(user: Visitor) -> bool:
    """Staff who screen ideas and run challenges (the Triage group, or a superuser)."""
    return (
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or (user.is_staff and TRIAGE_GROUP in _group_names(user)))
    )


def is_staff_member(user: Visitor | None) -> bool:
    """Staff of the portal (staff status or a superuser), signed in and active: the SQL twin is ``STAFF_Q``."""
    return bool(user is not None and user.is_authenticated and user.is_active and (user.is_staff or user.is_superuser))


def is_administrator(user: Visitor | None) -> bool:
    """A superuser: every permission (``ADMINISTRATORS_Q``)."""
    return bool(user is not None and user.is_authenticated and user.is_superuser)


def is_member(user: Visitor | None) -> bool:
    """A signed-in, active member who is not staff (``MEMBERS_Q``)."""
    return bool(
        user is not None and user.is_authenticated and user.is_active and not (user.is_staff or user.is_superuser)
    )


def is_mentor(user: Visitor) -> bool:
    return user.is_authenticated and user.is_active and MENTOR_GROUP in _group_names(user)


def has_verified_email(user: Visitor, email: str) -> bool:
    """Whether the member proved they read mail at this address (allauth's confirmation, any case)."""
    return (
        user.is_authenticated
        and bool(email)
        and EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()
    )
