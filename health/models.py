"""The last time each background part of the portal was seen alive, for /healthz."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """One row a part: ``worker`` (a worker ran the heartbeat task), ``beat`` (beat sent it)."""

    WORKER = "worker"
    BEAT = "beat"

    name = models.CharField(max_length=20, primary_key=True)
    seen_at = models.DateTimeField()

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self):
        return f"{self.name} seen at {self.seen_at:%Y-%m-%d %H:%M:%S}"
