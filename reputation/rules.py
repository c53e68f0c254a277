"""Who may see what of reputation: profiles are public unless their member hid them; staff see all."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.rules import is_staff_member

if TYPE_CHECKING:
    from accounts.models import User
    from accounts.types import Visitor


# Staff see every profile (accounts.rules.is_staff_member: the one definition of staff).
is_staff_viewer = is_staff_member


def can_view_profile(viewer: Visitor | None, member: User) -> bool:
    """A member's profile: their own always, an active member's public one, and any for staff."""
    if viewer is not None and viewer.is_authenticated and viewer.pk == member.pk:
        return True
    if is_staff_viewer(viewer):
        return True
    return member.is_active and member.profile_public
