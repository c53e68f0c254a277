"""The Celery application: workers take their settings from Django's (the CELERY_ names)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ideaportal.settings")

app = Celery("ideaportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
