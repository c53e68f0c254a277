"""Who may see what of reputation: profiles are public unless their member hid them; staff see all."""


def is_staff_viewer(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


def can_view_profile(viewer, member) -> bool:
    """A member's profile: their own always, an active member's public one, and any for staff."""
    if viewer is not None and viewer.is_authenticated and viewer.pk == member.pk:
        return True
    if is_staff_viewer(viewer):
        return True
    return member.is_active and member.profile_public
