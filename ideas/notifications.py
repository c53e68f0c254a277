"""Emails about ideas. Sends are keyed on the database row, so a retried task never sends twice."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .models import StatusChange


@transaction.atomic
def status_change_author_notify(*, status_change_id: int) -> bool:
    """Tell the idea's author about a status change, once. Returns whether an email was sent.

    Holds the status change's row lock while it sends and marks it sent, so two runs of the task
    (a retry, a redelivery after a worker died) send one email between them. If the send fails the
    transaction rolls back and the row stays unsent for the retry.
    """
    change = (
        StatusChange.objects.select_for_update(of=("self",))
        .select_related("idea__author", "idea__challenge", "idea__duplicate_of")
        .filter(pk=status_change_id)
        .first()
    )
    if change is None or change.author_notified_at is not None:
        return False
    author = change.idea.author
    if not author.email or not author.is_active:
        change.author_notified_at = timezone.now()
        change.save(update_fields=["author_notified_at"])
        return False
    context = {
        "change": change,
        "idea": change.idea,
        "author": author,
        "idea_url": settings.SITE_URL.rstrip("/") + change.idea.get_absolute_url(),
    }
    subject = f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}Your idea “{change.idea.title}” is now {change.get_to_status_display().lower()}"
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("ideas/email/status_changed.txt", context),
        to=[author.email],
        headers={"X-Idea-Status-Change": str(change.pk)},
    )
    message.attach_alternative(render_to_string("ideas/email/status_changed.html", context), "text/html")
    message.send()
    change.author_notified_at = timezone.now()
    change.save(update_fields=["author_notified_at"])
    return True
