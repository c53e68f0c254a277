"""Recording heartbeats: one upsert a beat, safe to run twice (it overwrites)."""

from django.utils import timezone

from .models import Heartbeat


def heartbeat_record(*, name: str) -> None:
    Heartbeat.objects.update_or_create(name=name, defaults={"seen_at": timezone.now()})
