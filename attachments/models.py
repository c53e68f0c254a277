import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ideas.models import Comment, Idea, IdeaVersion

from .storage import attachments_storage


def attachment_path(attachment: "Attachment", filename: str) -> str:
    """A random name under the idea's folder: the uploader's file name never reaches the storage."""
    extension = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    return f"ideas/{attachment.idea_id}/{secrets.token_urlsafe(18)}.{extension}"


class Attachment(models.Model):
    """A picture or document on an idea, or on one of its comments; private exactly as its idea is.

    Removing it from the idea is soft (``removed_at``): the idea's older versions keep it.
    """

    class Kind(models.TextChoices):
        IMAGE = "image", _("Picture")
        FILE = "file", _("Document")

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="attachments")
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="attachments"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    file = models.FileField(storage=attachments_storage, upload_to=attachment_path, max_length=200)
    # Made by the worker after the upload commits (attachments.tasks); empty until then.
    thumbnail = models.FileField(storage=attachments_storage, upload_to=attachment_path, max_length=200, blank=True)
    original_name = models.CharField(max_length=200, help_text=_("The file's name on the uploader's device."))
    content_type = models.CharField(max_length=100, help_text=_("Decided from the content, never from the name."))
    size = models.PositiveIntegerField(help_text=_("Bytes kept (a picture's re-encoded copy)."))
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    alt_text = models.CharField(
        max_length=300, blank=True, help_text=_("What the picture shows, for people who cannot see it.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Removed from the idea; older versions keep it.")
    )
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The versions of the idea that had it (the idea's own files, not a comment's).
    versions = models.ManyToManyField(IdeaVersion, related_name="attachments", blank=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["idea", "created_at"], name="attachment_idea_live", condition=Q(removed_at__isnull=True)
            ),
            models.Index(fields=["uploaded_by"], name="attachment_uploaded_by"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="attachment_not_empty"),
            models.CheckConstraint(condition=Q(kind__in=["image", "file"]), name="attachment_kind_valid"),
            models.CheckConstraint(
                condition=Q(kind="file") | (Q(width__isnull=False) & Q(height__isnull=False)),
                name="attachment_image_has_size",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("attachments:file", kwargs={"pk": self.pk, "name": self.download_name})

    @property
    def thumbnail_url(self) -> str:
        return reverse("attachments:thumbnail", kwargs={"pk": self.pk})

    @property
    def download_name(self) -> str:
        """The original name with the extension of what the file really is."""
        stem = self.original_name.rsplit(".", 1)[0] if "." in self.original_name else self.original_name
        extension = self.file.name.rsplit(".", 1)[-1] if "." in self.file.name else "bin"
        safe = "".join(ch if ch.isalnum() or ch in "-_ " else "_" for ch in stem).strip() or "attachment"
        return f"{safe[:80]}.{extension}"

    @property
    def extension(self) -> str:
        return self.file.name.rsplit(".", 1)[-1] if "." in self.file.name else ""

    @property
    def is_image(self) -> bool:
        return self.kind == self.Kind.IMAGE
