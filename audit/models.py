"""The audit log: one append-only row per staff action, written in the action's own transaction.

A row keeps who (the actor, a foreign key), when, what (a dotted action name such as
``idea.status_changed``), the target's type and id, and the state before and after as JSON. It keeps
no copy of personal data: no names or email addresses, in the row or its JSON (an invitation by email
records the invitation's id, not the address), so erasing a member leaves nothing of theirs here
but, at most, the actor id (``on_delete=SET_NULL``).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntryIsAppendOnly(Exception):
    pass


class AuditEntryQuerySet(models.QuerySet):
    """The ORM's bulk paths refuse to change or delete rows (PostgreSQL's trigger refuses the rest)."""

    def update(self, **kwargs):
        raise AuditEntryIsAppendOnly("Audit entries are never changed.")

    def delete(self):
        raise AuditEntryIsAppendOnly("Audit entries are never deleted.")

    update.queryset_only = True
    delete.queryset_only = True


class AuditEntry(models.Model):
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,  # the only change a row may undergo: its actor's account erased
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(max_length=80)
    target_type = models.CharField(max_length=80, blank=True)  # "app_label.model"
    target_id = models.CharField(max_length=64, blank=True)
    # What staff read in the list: the target's title or "<type> #<id>", never a member's name or address.
    target_repr = models.CharField(_("target"), max_length=200, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["action", "-created_at"], name="audit_action_recent"),
            models.Index(fields=["target_type", "target_id"], name="audit_target"),
            models.Index(fields=["actor", "-created_at"], name="audit_actor_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.target_repr or self.target_type}".strip()

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditEntryIsAppendOnly("Audit entries are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditEntryIsAppendOnly("Audit entries are never deleted.")
