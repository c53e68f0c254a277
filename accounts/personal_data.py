"""What the accounts app holds about a member: the profile, email addresses and single sign-on
connections (registered with core.personal_data from AccountsConfig.ready()). Erasing empties the
account's row last: the ideas, comments and votes that stay still point at it."""

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.personal_data import Former, Section, register


def export_profile(member) -> dict:
    return {
        "email": member.email,
        "display_name": member.display_name,
        "first_name": member.first_name,
        "last_name": member.last_name,
        "shown_as": member.public_name,
        "profile_public": member.profile_public,
        "joined": member.date_joined,
        "last_sign_in": member.last_login,
        "roles": sorted(member.groups.values_list("name", flat=True)),
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=member).order_by("email")
        ],
        "single_sign_on": [
            {
                "provider": account.provider,
                "id_at_provider": account.uid,
                "connected": account.date_joined,
                "last_sign_in": account.last_login,
                "claims": account.extra_data,
            }
            for account in SocialAccount.objects.filter(user=member).order_by("pk")
        ],
    }


def erase(member, former: Former) -> None:
    """The account's row keeps its id (ideas, comments and votes point at it) and nothing else:
    no address, no name, no password, no roles, and it can never sign in again."""
    SocialAccount.objects.filter(user=member).delete()  # its tokens go with it
    EmailAddress.objects.filter(user=member).delete()  # and the confirmations with them
    member.groups.clear()
    member.user_permissions.clear()
    member.username = f"former-member-{member.pk}"
    member.email = ""
    member.first_name = ""
    member.last_name = ""
    member.display_name = ""
    member.profile_public = False
    member.is_active = False
    member.is_staff = False
    member.last_login = None
    member.set_unusable_password()
    member.erased_at = timezone.now()
    member.save()


def register_sections() -> None:
    register(
        Section(
            key="profile",
            label=_("Your profile, email addresses, roles and single sign-on connections"),
            export=export_profile,
            erase=erase,
            order=10,
            erase_order=1000,
        )
    )
