"""The one way the portal builds an email, and the retry policy of every task that sends one."""

import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

# The retry policy of every task that sends email: an SMTP server that refuses or drops the
# connection is tried again with growing, jittered waits (up to 10 minutes), five times. Such tasks
# are keyed on a database row, so a retry never sends twice.
EMAIL_TASK_OPTIONS = {
    "autoretry_for": (smtplib.SMTPException, ConnectionError, TimeoutError),
    "max_retries": 5,
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
}


def email_message(
    *, to: str, subject: str, template: str, context: dict, headers: dict | None = None
) -> EmailMultiAlternatives:
    """A plain-text email with its HTML alternative, built but not sent.

    The bodies are ``<template>.txt`` and ``<template>.html`` rendered with ``context``; the subject
    gets the portal's prefix (``ACCOUNT_EMAIL_SUBJECT_PREFIX``, as allauth's own emails).
    """
    message = EmailMultiAlternatives(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
        body=render_to_string(f"{template}.txt", context),
        to=[to],
        headers=headers or {},
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message
