"""Pieces the apps' admin classes share."""


class ReadOnlyAdminMixin:
    """Staff read these records; only the services write them. Fits a ModelAdmin and an inline."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
