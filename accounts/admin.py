from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record

from .models import User
from .rules import is_triage


def member_roles(user) -> dict:
    """What the audit log keeps of a member's roles (no name, no address)."""
    return {
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "permissions": sorted(
            f"{app}.{codename}"
            for app, codename in user.user_permissions.values_list("content_type__app_label", "codename")
        ),
    }


class MemberCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ["username", "email", "display_name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Members sign in with their email.
        self.fields["email"].required = True

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("A member with this email address already exists."))
        return email


class MemberChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = MemberChangeForm
    add_form = MemberCreationForm
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Personal info"), {"fields": ["email", "display_name", "first_name", "last_name"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Mentoring"), {"fields": ["mentor_capacity"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["username", "email", "display_name", "usable_password", "password1", "password2"],
            },
        ),
    ]
    list_display = ["email", "display_name", "username", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["email", "display_name", "username", "first_name", "last_name"]
    ordering = ["email"]
    readonly_fields = ["last_login", "date_joined"]

    # Role and group changes are audited: the state before is read when the form is saved, the state
    # after once the groups and permissions (saved after the user row) are in; the admin's change
    # view is one transaction, so the row commits with the change.
    def save_model(self, request, obj, form, change):
        request._roles_before = member_roles(User.objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        before, after = getattr(request, "_roles_before", None), member_roles(form.instance)
        if before is None:
            before = {"is_active": True, "is_staff": False, "is_superuser": False, "groups": [], "permissions": []}
        if before != after:
            changed = sorted(key for key in after if after[key] != before[key])
            audit_record(
                actor=request.user,
                action="user.roles_changed",
                target=form.instance,
                before={key: before[key] for key in changed},
                after={key: after[key] for key in changed},
                request=request,
            )

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit_record(
                actor=request.user, action="user.deleted", target=obj, before=member_roles(obj), request=request
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for user in queryset:
                audit_record(
                    actor=request.user, action="user.deleted", target=user, before=member_roles(user), request=request
                )
            super().delete_queryset(request, queryset)

    def has_view_permission(self, request, obj=None):
        # Triage staff invite members to private challenges: they may search members by email in
        # the challenge's "invited members" field, without the right to browse the member list.
        if obj is None and is_triage(request.user) and request.path == reverse("admin:autocomplete"):
            return True
        return super().has_view_permission(request, obj)


def group_permissions(group) -> list[str]:
    return sorted(
        f"{app}.{codename}" for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    )


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(DjangoGroupAdmin):
    """Django's group admin; a change of a group's name or permissions (what a role may do) is audited."""

    def save_model(self, request, obj, form, change):
        previous = Group.objects.get(pk=obj.pk) if change else None
        request._group_before = {"name": previous.name, "permissions": group_permissions(previous)} if previous else {}
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        before = getattr(request, "_group_before", {})
        after = {"name": form.instance.name, "permissions": group_permissions(form.instance)}
        if before != after:
            audit_record(
                actor=request.user,
                action="group.changed" if change else "group.created",
                target=form.instance,
                before=before,
                after=after,
                request=request,
            )

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit_record(
                actor=request.user,
                action="group.deleted",
                target=obj,
                before={"name": obj.name, "permissions": group_permissions(obj)},
                request=request,
            )
            super().delete_model(request, obj)
