"""Where attachments are kept: the ``attachments`` entry of ``settings.STORAGES``.

The local disk (``MEDIA_ROOT/attachments``, never served at MEDIA_URL) by default; S3-compatible
object storage (MinIO in the compose stack) through django-storages when ``AWS_STORAGE_BUCKET_NAME``
or ``ATTACHMENTS_STORAGE=s3`` is set, with private objects. Either way a file is only ever served by
``attachments.views``, after the visibility check.
"""

from django.core.files.storage import Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty


class AttachmentsStorage(LazyObject):
    """``storages["attachments"]``, looked up when first used (and again after STORAGES changes):
    a FileField resolves its storage once, when the model class is made."""

    def _setup(self):
        self._wrapped = storages["attachments"]


_attachments_storage = AttachmentsStorage()


@receiver(setting_changed)
def _storages_changed(*, setting, **kwargs):
    if setting == "STORAGES":
        _attachments_storage._wrapped = empty


def attachments_storage() -> Storage:
    """The storage of the Attachment file fields (a callable, so the migrations name no backend)."""
    return _attachments_storage  # type: ignore[return-value]
