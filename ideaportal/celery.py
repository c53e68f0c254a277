"""The Celery application: workers take their settings from Django's (the CELERY_ names)."""

import os
import smtplib

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ideaportal.settings")

app = Celery("ideaportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


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
