"""Retention: the beat task fans out one small task per registered rule (privacy.registry)."""

from celery import shared_task

from . import registry, services


@shared_task
def apply_retention() -> None:
    for rule in registry.retention_rules():
        apply_retention_rule.delay(rule.key)


@shared_task
def apply_retention_rule(key: str) -> int:
    return services.retention_apply(key=key)
