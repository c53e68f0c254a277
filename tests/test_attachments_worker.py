"""Thumbnails made by a real Celery worker (Redis broker), queued only once the upload commits."""

import pytest

from attachments import services
from attachments.content import inspect
from attachments.models import Attachment
from tests import attachment_files as files
from tests import factories
from tests.attachment_files import attachments_on_disk_fixture  # noqa: F401 - autouse: files in the test's own folder
from tests.celery_worker import REDIS_URL, published_tasks, wait_until

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set: the worker tests need a Redis broker"),
]


def test_the_worker_makes_the_thumbnail_after_the_commit(worker, client):
    author = factories.UserFactory()
    idea = factories.IdeaFactory(author=author)
    photo = services.NewFile(name="p.png", inspected=inspect("p.png", files.png()), alt_text="A locker")
    with published_tasks() as sent:
        (attachment,) = services.attachments_change(user=author, idea=idea, add=[photo])
    assert sent == ["attachments.tasks.make_thumbnail"]
    wait_until(lambda: Attachment.objects.get(pk=attachment.pk).thumbnail, "the worker's thumbnail")
    response = client.get(attachment.thumbnail_url)
    assert response.status_code == 200 and response["Content-Type"] == "image/webp"
    assert 'alt="A locker"' in client.get(idea.get_absolute_url()).content.decode()
