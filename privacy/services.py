"""Personal data: a member's download, the erasure of their account, and the retention of logs.

Every app contributes through ``core.personal_data`` (its ``personal_data.py``, registered from its
``AppConfig.ready()``); this module runs the sections in order and knows none of them.
"""

from __future__ import annotations

import datetime
import io
import json
import logging
import zipfile
from typing import TYPE_CHECKING

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.rules import is_administrator
from core import personal_data as registry

if TYPE_CHECKING:
    from accounts.models import User


logger = logging.getLogger(__name__)

README = _("""Everything {site} holds about you, as of {when} (UTC).

Each .json file is one part of it, in the order of the download page:
{parts}

Your ideas are also in ideas/ as Markdown files, one per idea, with every saved version.
""")


class AccountEraseRefused(Exception):
    """Why the account cannot be erased now, for the member to read."""


def personal_data_export(*, user: User) -> bytes:
    """A zip of everything the portal holds about the member: one JSON file per registered section
    (profile, ideas with versions, comments, votes, ...) and their texts (ideas as Markdown).

    Built in the request: a member's data is a few hundred rows read with a constant number of
    queries per section (tests/test_personal_data.py measures it), so the zip never rests on disk
    and no download link can outlive the session that asked for it.
    """
    now = timezone.now()
    buffer = io.BytesIO()
    listed = []
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for section in registry.sections():
            data = section.export(user)
            archive.writestr(
                f"{section.key}.json", json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
            )
            listed.append(f"- {section.key}.json: {section.label}")
            if section.texts is not None:
                for path, text in section.texts(user).items():
                    archive.writestr(path, text)
        archive.writestr(
            "README.txt",
            str(README).format(site=settings.SITE_URL, when=now.strftime("%Y-%m-%d %H:%M"), parts="\n".join(listed)),
        )
    return buffer.getvalue()


def _member_sessions_delete(user) -> int:
    """Delete the member's sessions (database sessions carry the user id inside their encoded data,
    so the live ones are decoded; the expired ones are deleted by ``clearsessions`` anyway)."""
    doomed = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=2000):
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            doomed.append(session.session_key)
    deleted, _ = Session.objects.filter(session_key__in=doomed).delete()
    return deleted


@transaction.atomic
def account_erase(*, user: User) -> None:
    """Erase the member's account, in one transaction: every registered section deletes or
    anonymises its rows, then their sessions go and the account's row keeps only its id.

    What stays: the ideas, comments and mentor messages they wrote (signed "Former member"), their
    votes, kudos and survey ratings (counted, anonymously), and what staff recorded about the ideas.
    Locks the member's row first (``select_for_update``), so two erasures, or an erasure and a
    sign-in's profile update, run one after the other; erasing an erased account changes nothing.
    """
    User = get_user_model()
    member = User.objects.select_for_update().get(pk=user.pk)
    if member.erased_at is not None:
        return
    if is_administrator(member):
        raise AccountEraseRefused(
            _("A superuser's account cannot be deleted here: another administrator removes the superuser status first.")
        )
    emails = [member.email] if member.email else []
    confirmed = EmailAddress.objects.filter(user=member).values_list("email", flat=True)
    emails += [address for address in confirmed if address not in emails]
    former = registry.Former(name=member.public_name, email=member.email, emails=tuple(emails))
    for section in registry.sections_to_erase():
        assert section.erase is not None  # sections_to_erase gives only those that erase
        section.erase(member, former)
    _member_sessions_delete(member)
    logger.info("Account %s erased.", member.pk)


def _retention_days(rule: registry.RetentionRule) -> int:
    return int(getattr(settings, rule.setting, rule.default_days))


def retention_apply(*, key: str, now: datetime.datetime | None = None) -> int:
    """Delete the rows of one retention rule older than its setting's days (0: kept for ever).
    Returns how many were deleted; running it twice deletes nothing more."""
    rule = registry.retention_rule(key)
    days = _retention_days(rule)
    if days <= 0:
        return 0
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    deleted = rule.purge(cutoff)
    if deleted:
        logger.info("Retention %s: %s rows older than %s days deleted.", key, deleted, days)
    return deleted
