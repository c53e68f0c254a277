"""Retention: the beat task fans out one small task per registered rule (core.personal_data)."""

from celery import shared_task

from core import personal_data as registry

from . import services


@shared_task
def apply_retention() -> None:
    for rule in registry.retention_rules():
        apply_retention_rule.delay(rule.key)


@shared_task
def apply_retention_rule(key: str) -> int:
    return services.retention_apply(key=key)
