"""Attachments in S3-compatible object storage through django-storages, against a real S3 API: a
moto server (its server mode, a separate process speaking HTTP) started on 127.0.0.1 for this module."""

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from django.core.files.storage import storages

from attachments import services
from attachments.content import inspect
from attachments.models import Attachment
from tests import attachment_files as files

BUCKET = "portal-attachments-test"
KEYS = {"access_key": "test-key", "secret_key": "test-secret"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    server = shutil.which("moto_server") or str(Path(sys.executable).with_name("moto_server"))
    if not Path(server).exists():
        pytest.skip("moto's server mode is not installed (pip install 'moto[server]')")
    port = _free_port()
    process = subprocess.Popen(
        [server, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("the moto server did not start")
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def s3_client(s3_endpoint):
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id=KEYS["access_key"],
        aws_secret_access_key=KEYS["secret_key"],
        config=Config(s3={"addressing_style": "path"}),
    )
    client.create_bucket(Bucket=BUCKET)
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


@pytest.fixture
def s3_storage(settings, s3_endpoint, s3_client):
    """The settings an S3 deployment has (ideaportal/settings.py with AWS_STORAGE_BUCKET_NAME set)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                **KEYS,
                "location": "attachments",
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
                "addressing_style": "path",
                "signature_version": "s3v4",
            },
        },
    }
    return s3_client


@pytest.mark.django_db
def test_an_upload_goes_to_the_bucket_privately_and_is_served_through_the_view(
    s3_storage, client, customer, idea, django_capture_on_commit_callbacks
):
    assert type(storages["attachments"]).__name__ == "S3Storage"
    photo = services.NewFile(name="van.jpg", inspected=inspect("van.jpg", files.jpeg_with_exif()), alt_text="A van")
    with django_capture_on_commit_callbacks(execute=True):  # the thumbnail task reads and writes the bucket
        (attachment,) = services.attachments_change(user=customer, idea=idea, add=[photo])
    attachment = Attachment.objects.get(pk=attachment.pk)
    keys = sorted(item["Key"] for item in s3_storage.list_objects_v2(Bucket=BUCKET)["Contents"])
    assert keys == sorted([f"attachments/{attachment.file.name}", f"attachments/{attachment.thumbnail.name}"])
    # Private: no grant to everyone.
    grants = s3_storage.get_object_acl(Bucket=BUCKET, Key=f"attachments/{attachment.file.name}")["Grants"]
    assert not [grant for grant in grants if "AllUsers" in grant["Grantee"].get("URI", "")]
    stored = s3_storage.get_object(Bucket=BUCKET, Key=f"attachments/{attachment.file.name}")["Body"].read()
    response = client.get(attachment.get_absolute_url())
    assert response.status_code == 200 and b"".join(response.streaming_content) == stored
    assert client.get(attachment.thumbnail_url).status_code == 200


def test_the_settings_choose_s3_when_a_bucket_is_named():
    """ideaportal/settings.py: AWS_STORAGE_BUCKET_NAME (or ATTACHMENTS_STORAGE=s3) selects S3, private."""
    import json
    import os

    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps({k: settings.STORAGES['attachments'] for k in ['x']}['x'], default=str))"
    )
    env = {
        **os.environ,
        "DEBUG": "1",
        "AWS_STORAGE_BUCKET_NAME": "portal-files",
        "AWS_S3_ENDPOINT_URL": "http://minio:9000",
    }
    env.pop("ATTACHMENTS_STORAGE", None)
    env["DJANGO_SETTINGS_MODULE"] = "ideaportal.settings"
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    chosen = json.loads(run.stdout.strip().splitlines()[-1])
    assert chosen["BACKEND"] == "storages.backends.s3.S3Storage"
    assert chosen["OPTIONS"]["bucket_name"] == "portal-files" and chosen["OPTIONS"]["default_acl"] == "private"
    assert chosen["OPTIONS"]["endpoint_url"] == "http://minio:9000"
    env.pop("AWS_STORAGE_BUCKET_NAME")
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert json.loads(run.stdout.strip().splitlines()[-1])["BACKEND"] == "django.core.files.storage.FileSystemStorage"
