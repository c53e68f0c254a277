"""Writes to members' accounts that other parts of the portal share."""

from django.contrib.auth.models import Group
from django.db import transaction

from .models import MENTOR_GROUP, TRIAGE_GROUP, User

ROLE_GROUPS = {"triage": TRIAGE_GROUP, "mentor": MENTOR_GROUP}


@transaction.atomic
def member_roles_sync(*, user: User, roles: set[str]) -> set[str]:
    """Make the member's portal roles (the Triage and Mentor groups) exactly ``roles``, as a single
    sign-on provider's claim says on each sign-in. Triage staff need the staff flag (accounts.rules):
    it is set with the role; taking the role away leaves the flag, which an administrator may have
    given for other reasons, and is_triage needs the group anyway. Returns the roles it changed."""
    unknown = roles - ROLE_GROUPS.keys()
    if unknown:
        raise ValueError(f"Unknown roles: {sorted(unknown)}")
    member = User.objects.select_for_update().get(pk=user.pk)
    have = set(member.groups.filter(name__in=ROLE_GROUPS.values()).values_list("name", flat=True))
    changed = set()
    for role, group_name in ROLE_GROUPS.items():
        if role in roles and group_name not in have:
            member.groups.add(Group.objects.get_or_create(name=group_name)[0])
            changed.add(role)
        elif role not in roles and group_name in have:
            member.groups.remove(Group.objects.get(name=group_name))
            changed.add(role)
    if "triage" in roles and not member.is_staff:
        member.is_staff = True
        member.save(update_fields=["is_staff"])
    user.is_staff = member.is_staff
    user.__dict__.pop("_portal_group_names", None)
    return changed
