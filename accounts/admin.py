from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.urls import reverse

from .models import User
from .rules import is_triage


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
            raise forms.ValidationError("A member with this email address already exists.")
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
        ("Personal info", {"fields": ["email", "display_name", "first_name", "last_name"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Mentoring", {"fields": ["mentor_capacity"]}),
        ("Important dates", {"fields": ["last_login", "date_joined"]}),
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

    def has_view_permission(self, request, obj=None):
        # Triage staff invite members to private challenges: they may search members by email in
        # the challenge's "invited members" field, without the right to browse the member list.
        if obj is None and is_triage(request.user) and request.path == reverse("admin:autocomplete"):
            return True
        return super().has_view_permission(request, obj)
