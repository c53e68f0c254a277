"""What the api app holds about a member: their personal access tokens (registered with
core.personal_data from ApiConfig.ready()). The download lists them without their secret (only its
hash is stored, and it is not exported); erasing the account deletes them, so none works again."""

from django.utils.translation import gettext_lazy as _

from core.personal_data import Former, Section, register

from .models import ApiToken


def export_tokens(member) -> list[dict]:
    return [
        {
            "name": token.name,
            "prefix": token.prefix,
            "scopes": token.scopes,
            "created_at": token.created_at,
            "last_used_at": token.last_used_at,
            "expires_at": token.expires_at,
            "revoked_at": token.revoked_at,
        }
        for token in ApiToken.objects.filter(user=member).order_by("created_at", "pk")
    ]


def erase(member, former: Former) -> None:
    ApiToken.objects.filter(user=member).delete()


def register_sections() -> None:
    register(
        Section(
            key="api_tokens",
            label=_("Your API tokens (without their secrets)"),
            export=export_tokens,
            erase=erase,
            order=95,
        )
    )
