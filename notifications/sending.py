"""Sending an email that is owed on a notification row: claimed, sent, marked; never with a transaction open.

Every notification email (immediate, daily digest, the triage staff's overdue digest) goes this way:

1. **Claim** — one short UPDATE … WHERE not sent, not failed, and unclaimed or the claim expired,
   committed at once: the row's ``email_claimed_until`` is a lease of
   ``NOTIFICATION_EMAIL_LEASE_SECONDS`` (longer than any SMTP conversation). Only the worker whose
   UPDATE changed the row sends; a second task for it (a retry, a redelivered message, the drain)
   finds it claimed and does nothing.
2. **Send**, with no transaction open, under a Message-ID derived from the row
   (``<notification-<id>@<site host>>``), so a resend after a crash is recognisable as the same
   message by mail clients and by whoever reads the logs.
3. **Mark** ``emailed_at`` (or ``digest_at``) and drop the lease.

A worker killed between 1 and 3 leaves the lease to expire; the outbox drain (beat, every minute)
queues the email again. Only a crash between the SMTP server's acceptance and the mark sends twice:
docs/PERFORMANCE.md measures that window.

Database connection errors (a restart, ``pg_terminate_backend``) are retried here, with a bound and
backoff, on a new connection: losing the connection after the server accepted the message must not
turn into a resend. A message that can never be sent (a header with a newline, an invalid address,
a template error, too many attempts that ended without a result) is marked failed with its reason
and never tried again; the caller goes on with the rest of its batch. A transient SMTP error
releases the claim and raises, so the task's own retry (with backoff) tries again.
"""

import contextlib
import logging
import random
import smtplib
import time
import urllib.parse
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import TypeVar

from django.conf import settings
from django.core.mail import BadHeaderError, EmailMessage
from django.core.mail.message import sanitize_address
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import DateTimeField, ExpressionWrapper, F, Q, Value
from django.db.models.functions import Now

from .models import Notification

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Claims that ended without a result (the worker died, the database was lost before the mark): after
# this many the message is marked failed instead of being tried forever (a message that kills its worker).
MAX_EMAIL_ATTEMPTS = 5
# Database errors: retried this many times, waiting 0.2 s, 0.4 s, … up to 5 s (about 15 s in all).
DB_RETRIES = 6
DB_RETRY_BASE_SECONDS = 0.2
DB_RETRY_MAX_SECONDS = 5.0

DATABASE_ERRORS = (OperationalError, InterfaceError)
# Errors that will be the same on every attempt: the message is marked failed. (A 5xx on DATA is the
# server refusing this message; a refused sender or a 4xx is the server's state, and is retried.)
PERMANENT_SEND_ERRORS = (BadHeaderError, ValueError, UnicodeError, smtplib.SMTPRecipientsRefused)


class EmailUnsendable(Exception):
    """This message can never be sent; the text is the reason recorded on the row."""


def db_retry(operation: Callable[[], T]) -> T:
    """Run ``operation``, again on a new connection after a connection error (bounded, with backoff).

    Inside a transaction a lost connection cannot be repaired here, so the error is raised as is.
    """
    for attempt in range(DB_RETRIES + 1):
        try:
            return operation()
        except DATABASE_ERRORS:
            if connection.in_atomic_block or attempt == DB_RETRIES:
                raise
            logger.warning(
                "Database error while sending email; retry %s of %s.", attempt + 1, DB_RETRIES, exc_info=True
            )
            with contextlib.suppress(*DATABASE_ERRORS):
                connection.close()  # the next query opens a new connection
            delay = min(DB_RETRY_MAX_SECONDS, DB_RETRY_BASE_SECONDS * 2**attempt)
            time.sleep(delay * random.uniform(0.5, 1.0))
    raise AssertionError("unreachable")


def lease_seconds() -> int:
    return int(getattr(settings, "NOTIFICATION_EMAIL_LEASE_SECONDS", 300))


def _lease_end():
    return ExpressionWrapper(Now() + Value(timedelta(seconds=lease_seconds())), output_field=DateTimeField())


def unclaimed() -> Q:
    """Rows no worker holds now: never claimed, or the claim's lease ran out (its worker died)."""
    return Q(email_claimed_until__isnull=True) | Q(email_claimed_until__lt=Now())


def claim(notification_id: int) -> bool:
    """Take the lease on one notification's immediate email; committed at once. Whether we hold it."""
    owed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True, email_failed_at__isnull=True)
    updated = db_retry(
        lambda: owed.filter(unclaimed()).update(
            email_claimed_until=_lease_end(), email_attempts=F("email_attempts") + 1
        )
    )
    return updated == 1


def claim_rows(ids: Iterable[int], **owed) -> list[int]:
    """Take the lease on those of ``ids`` still owed (``owed``: the filter) and unclaimed; returns their ids.

    A short transaction of its own: rows another worker is claiming this instant are skipped
    (SKIP LOCKED), so two workers never both get a row.
    """
    rows = Notification.objects.filter(pk__in=list(ids), email_failed_at__isnull=True, **owed).filter(unclaimed())

    def run() -> list[int]:
        with transaction.atomic():
            got = list(rows.select_for_update(skip_locked=True).values_list("pk", flat=True))
            Notification.objects.filter(pk__in=got).update(
                email_claimed_until=_lease_end(), email_attempts=F("email_attempts") + 1
            )
        return sorted(got)

    return db_retry(run)


def release(ids: Iterable[int]) -> None:
    """Give a claim back when we know nothing went out (a transient SMTP error): the retry may take it."""
    ids = list(ids)
    try:
        db_retry(
            lambda: Notification.objects.filter(pk__in=ids).update(
                email_claimed_until=None, email_attempts=F("email_attempts") - 1
            )
        )
    except DATABASE_ERRORS:  # the lease runs out by itself
        logger.warning("Could not release the email claim of %s; its lease will expire.", ids, exc_info=True)


def mark_sent(ids: Iterable[int], *, field: str = "emailed_at") -> None:
    """Record the send (``emailed_at`` or ``digest_at``) and drop the lease; retried on a lost connection."""
    ids = list(ids)
    db_retry(lambda: Notification.objects.filter(pk__in=ids).update(**{field: Now()}, email_claimed_until=None))


def mark_failed(ids: Iterable[int], reason: str) -> None:
    """Never to be tried again (every "owed" query leaves out failed rows); the reason is shown in the admin."""
    ids = list(ids)
    logger.warning("Email for notification(s) %s cannot be sent: %s", ids, reason)
    db_retry(
        lambda: Notification.objects.filter(pk__in=ids).update(
            email_failed_at=Now(), email_failure=reason[:2000], email_claimed_until=None
        )
    )


def message_id(key: str) -> str:
    """A Message-ID that is the same for every attempt at one email (``key``: the row it is owed on)."""
    host = urllib.parse.urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<{key}@{host}>"


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def send_claimed(*, ids: list[int], build: Callable[[], EmailMessage | None], field: str = "emailed_at") -> bool:
    """Build and send the email owed on the claimed rows ``ids``, then mark them; returns whether it went out.

    ``build`` returns the message, or None when nothing is to be sent (the rows are settled as if
    sent). Its database reads are retried on a lost connection; any other error while building is
    permanent (the rows are marked failed).
    """
    try:
        message = db_retry(build)
        if message is not None:
            message.message()  # builds the headers now: a newline in the subject raises BadHeaderError here
            encoding = message.encoding or settings.DEFAULT_CHARSET
            for address in [message.from_email, *message.recipients()]:
                sanitize_address(address, encoding)  # what the SMTP backend does: an invalid address raises
    except DATABASE_ERRORS:
        raise  # still claimed: the lease runs out and the drain tries again
    except Exception as error:  # noqa: BLE001 - whatever makes the message unbuildable, it stays so
        mark_failed(ids, describe(error))
        return False
    if message is None:
        mark_sent(ids, field=field)
        return False
    try:
        message.send()
    except PERMANENT_SEND_ERRORS as error:
        mark_failed(ids, describe(error))
        return False
    except smtplib.SMTPDataError as error:
        if 500 <= error.smtp_code < 600:
            mark_failed(ids, describe(error))
            return False
        release(ids)
        raise
    except Exception:
        release(ids)  # nothing went out: give the claim back for the task's retry
        raise
    mark_sent(ids, field=field)
    return True


def gave_up(notification: Notification) -> bool:
    """Too many claims of this row ended without a result: mark it failed instead of trying again."""
    if notification.email_attempts <= MAX_EMAIL_ATTEMPTS:
        return False
    reason = f"Gave up after {MAX_EMAIL_ATTEMPTS} attempts that ended without a result (worker or database lost)."
    mark_failed([notification.pk], reason)
    return True
