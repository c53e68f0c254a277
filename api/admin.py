from django.contrib import admin, messages
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import ApiToken


class TokenStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("active", "Active"), ("revoked", "Revoked"), ("expired", "Expired")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "active":
            return queryset.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now), revoked_at__isnull=True)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        if self.value() == "expired":
            return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
        return queryset


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Every member's tokens, for staff: who holds which scopes, when each was last used; revoke one.

    Tokens are created by their members only (Account settings → API tokens): there is no add page,
    and nothing here shows a secret (the portal keeps none).
    """

    list_display = ["name", "prefix", "user", "scope_list", "created_at", "last_used_at", "expires_at", "revoked_at"]
    list_filter = [TokenStateFilter]
    search_fields = ["name", "prefix", "user__email", "user__display_name"]
    list_select_related = ["user"]
    readonly_fields = ["user", "name", "prefix", "scopes", "created_at", "last_used_at", "expires_at", "revoked_at"]
    fields = readonly_fields
    actions = ["revoke"]
    date_hierarchy = "created_at"

    @admin.display(description="scopes")
    def scope_list(self, token):
        return ", ".join(token.scopes)

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
    def revoke(self, request, queryset):
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True):
            try:
                services.token_revoke(user=request.user, token=token)
            except services.TokenError as error:
                self.message_user(request, f"{token}: {error}", messages.ERROR)
            else:
                revoked += 1
        self.message_user(
            request,
            ngettext("Revoked %(count)d token.", "Revoked %(count)d tokens.", revoked) % {"count": revoked},
            messages.SUCCESS,
        )
