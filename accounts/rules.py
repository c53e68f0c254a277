"""Who a member is in the product: named role predicates used by every other app's rules."""

from allauth.account.models import EmailAddress

from .models import MENTOR_GROUP, TRIAGE_GROUP


def _group_names(user) -> frozenset[str]:
    # Cached on the user object: templates and rules ask several times per request.
    if not user.is_authenticated:
        return frozenset()
    if not hasattr(user, "_portal_group_names"):
        user._portal_group_names = frozenset(user.groups.values_list("name", flat=True))
    return user._portal_group_names


def is_triage(user) -> bool:
    """Staff who screen ideas and run challenges (the Triage group, or a superuser)."""
    return (
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or (user.is_staff and TRIAGE_GROUP in _group_names(user)))
    )


def is_mentor(user) -> bool:
    return user.is_authenticated and user.is_active and MENTOR_GROUP in _group_names(user)


def has_verified_email(user, email: str) -> bool:
    """Whether the member proved they read mail at this address (allauth's confirmation, any case)."""
    return (
        user.is_authenticated
        and bool(email)
        and EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()
    )
