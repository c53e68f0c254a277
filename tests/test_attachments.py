"""Attachments: types read from the content, pictures re-encoded without metadata, limits, versions,
and files private exactly as their idea is (attachments/)."""

import io
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from PIL import Image

from attachments import services
from attachments.content import FileRefused, inspect
from attachments.models import Attachment
from challenges.models import Challenge
from core.funnel import Status
from ideas.models import Idea, IdeaVersion
from tests import attachment_files as files
from tests import factories
from tests.attachment_files import attachments_on_disk_fixture  # noqa: F401 - autouse: files in the test's own folder


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def new_file(name: str, data: bytes, alt: str = "") -> services.NewFile:
    return services.NewFile(name=name, inspected=inspect(name, data), alt_text=alt)


def idea_form_data(open_challenge, **extra) -> dict:
    outcome = open_challenge.outcomes.order_by("code").first()
    return {
        "title": "Parcel lockers at the station",
        "problem": "Nobody is home when the van comes, so parcels go back.",
        "solution": "Lockers at every station, opened with a code sent by text.",
        "outcomes": [outcome.pk],
        "action": "draft",
        **extra,
    }


# --- what a file is, from its bytes ----------------------------------------------------------------


def test_a_picture_loses_its_exif_and_comment_when_kept():
    original = files.jpeg_with_exif()
    assert Image.open(io.BytesIO(original)).getexif()[files.EXIF_MAKE] == "PhoneMaker"
    kept = inspect("holiday.jpg", original)
    assert kept.kind == "image" and kept.content_type == "image/jpeg"
    picture = Image.open(io.BytesIO(kept.data))
    assert dict(picture.getexif()) == {}
    assert "exif" not in picture.info and "comment" not in picture.info
    assert (kept.width, kept.height) == (640, 480)


def test_a_large_picture_is_capped_in_size(settings):
    settings.ATTACHMENT_IMAGE_MAX_SIDE = 300
    kept = inspect("wide.png", files.png(size=(1200, 600)))
    assert (kept.width, kept.height) == (300, 150)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("cat.png", files.HTML, "web page or an SVG drawing"),
        ("drawing.svg", files.SVG, "web page or an SVG drawing"),
        ("empty.png", b"", "is empty"),
        ("broken.png", files.png()[:200], "damaged or incomplete picture"),
        ("tools.zip", files.plain_zip(), "is an archive"),
        ("program.exe", b"MZ\x90\x00" + b"\x00" * 200, "not a file the portal takes"),
    ],
)
def test_what_the_bytes_are_decides_not_the_name(name, data, message):
    with pytest.raises(FileRefused, match=message):
        inspect(name, data)


def test_a_picture_with_too_many_pixels_is_refused_unopened(settings):
    settings.ATTACHMENT_IMAGE_MAX_PIXELS = 100_000  # a bomb is the same check at 50 million
    with pytest.raises(FileRefused, match="too large to open safely"):
        inspect("bomb.png", files.png(size=(1000, 400)))


def test_a_png_that_claims_huge_dimensions_is_refused_at_the_default_limit():
    """A few hundred bytes that say 100,000 × 100,000 pixels: Pillow's DecompressionBombError, not 10 GB of memory."""
    with pytest.raises(FileRefused, match="too large to open safely"):
        inspect("bomb.png", files.png_claiming(100_000, 100_000))


def test_documents_are_known_by_their_signature():
    assert inspect("report.bin", files.pdf()).content_type == "application/pdf"
    document = inspect("plan.zip", files.docx())
    assert (document.kind, document.extension) == ("file", "docx")


# --- attaching while writing an idea ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_photo_attached_to_a_new_idea_is_kept_without_metadata(
    client_for, customer, open_challenge, django_capture_on_commit_callbacks
):
    client = client_for(customer)
    data = idea_form_data(
        open_challenge,
        **{
            "attachments-files": [upload("IMG_0042.jpg", files.jpeg_with_exif(), "image/jpeg")],
            "attachments-alt_text": "A locker wall at a station",
        },
    )
    with django_capture_on_commit_callbacks(execute=True):  # the thumbnail task: inline, as in the demo
        response = client.post(reverse("challenges:submit", args=[open_challenge.slug]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    idea = Idea.objects.get(title="Parcel lockers at the station")
    attachment = idea.attachments.get()
    assert (attachment.kind, attachment.original_name, attachment.alt_text) == (
        "image",
        "IMG_0042.jpg",
        "A locker wall at a station",
    )
    with attachment.file.open("rb") as kept:
        assert dict(Image.open(kept).getexif()) == {}
    assert attachment.thumbnail
    assert list(IdeaVersion.objects.get(idea=idea, number=1).attachments.all()) == [attachment]
    page = client.get(idea.get_absolute_url()).content.decode()
    assert 'alt="A locker wall at a station"' in page and attachment.thumbnail_url in page


@pytest.mark.django_db
def test_html_named_png_is_refused_and_nothing_is_saved(client_for, customer, open_challenge):
    data = idea_form_data(open_challenge, **{"attachments-files": [upload("cat.png", files.HTML, "image/png")]})
    response = client_for(customer).post(reverse("challenges:submit", args=[open_challenge.slug]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "is a web page or an SVG drawing" in page and "Nothing was saved" in page
    assert not Idea.objects.exists() and not Attachment.objects.exists()


@pytest.mark.django_db
def test_a_picture_needs_a_description(client_for, customer, open_challenge):
    data = idea_form_data(open_challenge, **{"attachments-files": [upload("a.png", files.png())]})
    response = client_for(customer).post(reverse("challenges:submit", args=[open_challenge.slug]), data)
    assert response.status_code == 400
    assert "Describe what the pictures show" in response.content.decode()
    assert not Idea.objects.exists()


@pytest.mark.django_db
def test_a_file_over_the_limit_is_refused_with_its_size(settings, client_for, customer, open_challenge):
    settings.ATTACHMENT_MAX_BYTES = 1024
    data = idea_form_data(open_challenge, **{"attachments-files": [upload("scan.pdf", files.pdf() + b"0" * 2048)]})
    response = client_for(customer).post(reverse("challenges:submit", args=[open_challenge.slug]), data)
    assert response.status_code == 400
    assert "“scan.pdf” is 2 KB: a file may be at most 1 KB." in response.content.decode()
    assert not Idea.objects.exists() and not Attachment.objects.exists()


@pytest.mark.django_db
def test_the_idea_limits_refuse_the_whole_edit(settings, client_for, customer, idea, attachments_on_disk):
    settings.ATTACHMENTS_PER_IDEA = 2
    services.attachments_change(user=customer, idea=idea, add=[new_file("a.pdf", files.pdf())])
    data = idea_form_data(
        idea.challenge,
        title="A changed title that must not be saved",
        action="save",
        **{"attachments-files": [upload("b.pdf", files.pdf()), upload("c.pdf", files.pdf())]},
    )
    data["outcomes"] = list(idea.outcomes.values_list("pk", flat=True))
    response = client_for(customer).post(reverse("ideas:edit", args=[idea.pk]), data)
    assert response.status_code == 400
    assert "An idea can have at most 2 files; this one has 1, so 1 more can be attached, not 2." in (
        response.content.decode()
    )
    idea.refresh_from_db()
    assert idea.title != "A changed title that must not be saved"
    assert Attachment.objects.count() == 1
    assert sorted(p.name for p in (attachments_on_disk / "ideas" / str(idea.pk)).iterdir()) == [
        Attachment.objects.get().file.name.rsplit("/", 1)[-1]
    ]


@pytest.mark.django_db
def test_the_idea_byte_limit(settings, customer, idea):
    settings.ATTACHMENTS_IDEA_MAX_BYTES = 150
    services.attachments_change(user=customer, idea=idea, add=[new_file("a.pdf", files.pdf())])
    with pytest.raises(services.AttachmentRefused, match="may add up to at most 1 KB"):
        services.attachments_change(user=customer, idea=idea, add=[new_file("b.pdf", files.pdf())])
    assert Attachment.objects.count() == 1


@pytest.mark.django_db
def test_only_the_author_attaches_while_they_may_edit(customer, other_customer, idea):
    with pytest.raises(services.AttachmentRefused, match="Only the idea's author"):
        services.attachments_change(user=other_customer, idea=idea, add=[new_file("a.pdf", files.pdf())])
    Idea.objects.filter(pk=idea.pk).update(status=Status.SHORTLISTED)
    idea.refresh_from_db()
    with pytest.raises(services.AttachmentRefused, match="can no longer be changed"):
        services.attachments_change(user=customer, idea=idea, add=[new_file("a.pdf", files.pdf())])
    assert not Attachment.objects.exists()


# --- versions keep their files -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_removed_file_stays_with_the_versions_that_had_it(client_for, customer, idea):
    from ideas.services import idea_version_record_unlocked

    idea_version_record_unlocked(idea=idea, saved_by=customer, outcome_codes=[])  # v1, no files
    photo, plan = services.attachments_change(
        user=customer,
        idea=idea,
        add=[new_file("photo.png", files.png(), "The station"), new_file("plan.pdf", files.pdf())],
        versions_seen=1,
    )
    v2 = IdeaVersion.objects.get(idea=idea, number=2)  # the change is a version of its own
    assert set(v2.attachments.all()) == {photo, plan}
    client = client_for(customer)
    data = idea_form_data(
        idea.challenge, action="save", **{"attachments-remove": [photo.pk], "attachments-versions_seen": 2}
    )
    data.update(title=idea.title, problem=idea.problem, solution=idea.solution)
    data["outcomes"] = list(idea.outcomes.values_list("pk", flat=True))
    assert client.post(reverse("ideas:edit", args=[idea.pk]), data).status_code == 302
    photo.refresh_from_db()
    assert photo.removed_at is not None and photo.removed_by == customer
    v3 = IdeaVersion.objects.get(idea=idea, number=3)
    assert list(v3.attachments.all()) == [plan]
    assert set(v2.attachments.all()) == {photo, plan}
    assert photo.pk not in [a.pk for a in _gallery(client, idea)]
    # The author (who reads the versions) still opens it; the public does not.
    assert client.get(photo.get_absolute_url()).status_code == 200
    compared = client.get(reverse("ideas:versions", args=[idea.pk]), {"old": 2, "new": 3}).content.decode()
    assert f'<del><a href="{photo.get_absolute_url()}">photo.png</a></del>' in compared
    assert f'<a href="{plan.get_absolute_url()}">plan.pdf</a>' in compared
    client.logout()
    assert client.get(photo.get_absolute_url()).status_code == 404
    assert client.get(plan.get_absolute_url()).status_code == 200


def _gallery(client, idea):
    response = client.get(idea.get_absolute_url())
    return [a for a in Attachment.objects.filter(idea=idea) if a.get_absolute_url() in response.content.decode()]


# --- serving ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_files_are_served_with_safe_headers(client, customer, idea, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        photo, plan = services.attachments_change(
            user=customer,
            idea=idea,
            add=[new_file("photo.jpg", files.jpeg_with_exif(), "A van"), new_file("plan.pdf", files.pdf())],
        )
    response = client.get(photo.get_absolute_url())
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline;")
    assert dict(Image.open(io.BytesIO(b"".join(response.streaming_content))).getexif()) == {}
    response = client.get(plan.get_absolute_url())
    assert response["Content-Disposition"] == 'attachment; filename="plan.pdf"'
    assert response["Content-Type"] == "application/pdf"
    for response in (
        client.get(photo.get_absolute_url()),
        client.get(plan.get_absolute_url()),
        client.get(photo.thumbnail_url),
    ):
        assert response["X-Content-Type-Options"] == "nosniff"
        assert (
            "sandbox" in response["Content-Security-Policy"]
            and "default-src 'none'" in response["Content-Security-Policy"]
        )
        assert response["Cache-Control"] == "private, no-cache"
    assert client.get(plan.thumbnail_url).status_code == 404


@pytest.mark.django_db
def test_the_thumbnail_task_is_idempotent(customer, idea, attachments_on_disk, django_capture_on_commit_callbacks):
    from attachments.tasks import make_thumbnail

    with django_capture_on_commit_callbacks(execute=True):
        (photo,) = services.attachments_change(user=customer, idea=idea, add=[new_file("p.png", files.png(), "x")])
    first = Attachment.objects.get(pk=photo.pk).thumbnail.name
    assert first and make_thumbnail(photo.pk) and make_thumbnail(photo.pk)
    assert Attachment.objects.get(pk=photo.pk).thumbnail.name == first
    assert len(list((attachments_on_disk / "ideas" / str(idea.pk)).iterdir())) == 2  # the picture and one thumbnail
    Image.open(attachments_on_disk / first).verify()
    assert make_thumbnail(987654) is False  # gone: quietly nothing


@pytest.mark.django_db
def test_the_idea_page_shows_a_placeholder_until_the_thumbnail_exists(client, customer, idea):
    # The commit has not happened (the test's transaction never commits): no thumbnail task ran yet.
    (photo,) = services.attachments_change(user=customer, idea=idea, add=[new_file("p.png", files.png(), "Lockers")])
    page = client.get(idea.get_absolute_url()).content.decode()
    assert "Preview being prepared" in page and photo.get_absolute_url() in page
    assert client.get(photo.thumbnail_url).status_code == 404


# --- each role against every attachment URL ---------------------------------------------------------

ROLES = ["anonymous", "member", "author", "invited", "triage", "mentor"]
# Who gets 200 for each kind of file (everyone else: 404, as for a file that never existed).
SEES = {
    "public": set(ROLES),
    "draft": {"author", "triage"},
    "withdrawn": {"author", "triage"},
    "invite_only": {"author", "invited", "triage"},
    "removed": {"author", "triage"},
    "hidden_comment": {"author", "triage"},
    "removed_comment": {"triage"},
    "draft_challenge": {"author", "triage"},
}


@pytest.fixture
def matrix(db, customer, triage, mentor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # thumbnails made, as the worker would
        return _matrix(customer, triage, mentor)


def _matrix(customer, triage, mentor):
    author = customer
    invited = factories.UserFactory(display_name="Ivy Invited")
    public = factories.ChallengeFactory()
    private = factories.ChallengeFactory(visibility=Challenge.Visibility.INVITE_ONLY)
    private.invited_members.add(author, invited)
    unpublished = factories.ChallengeFactory(phase=Challenge.Phase.DRAFT)

    def idea_in(challenge, status=Status.SUBMITTED):
        made = factories.IdeaFactory(challenge=challenge, author=author)
        Idea.objects.filter(pk=made.pk).update(
            status=status, submitted_at=None if status == Status.DRAFT else made.submitted_at
        )
        made.refresh_from_db()
        return made

    def attach(idea, **kwargs):
        (attachment,) = services.attachments_change(
            user=author, idea=idea, add=[new_file("p.png", files.png(), "A picture")]
        )
        return attachment

    def on_comment(idea, **state):
        comment = factories.CommentFactory(idea=idea, author=author, **state)
        return services.comment_attachments_add(
            user=author, comment=comment, add=[new_file("c.png", files.png(), "A reply picture")]
        )[0]

    public_idea = idea_in(public)
    removed = attach(public_idea)
    services.attachments_change(user=author, idea=public_idea, remove=[removed.pk])
    from django.utils import timezone

    hidden_comment = on_comment(public_idea)
    type(hidden_comment.comment).objects.filter(pk=hidden_comment.comment_id).update(
        hidden_at=timezone.now(), hidden_reason="Off topic"
    )
    removed_comment = on_comment(public_idea)
    type(removed_comment.comment).objects.filter(pk=removed_comment.comment_id).update(removed_at=timezone.now())
    withdrawn_idea = idea_in(public)
    withdrawn = attach(withdrawn_idea)
    Idea.objects.filter(pk=withdrawn_idea.pk).update(status=Status.WITHDRAWN)
    draft_challenge_idea = idea_in(public)
    draft_challenge = attach(draft_challenge_idea)
    Idea.objects.filter(pk=draft_challenge_idea.pk).update(challenge=unpublished)
    files_by_case = {
        "public": attach(public_idea),
        "draft": attach(idea_in(public, Status.DRAFT)),
        "withdrawn": withdrawn,
        "invite_only": attach(idea_in(private)),
        "removed": removed,
        "hidden_comment": hidden_comment,
        "removed_comment": removed_comment,
        "draft_challenge": draft_challenge,
    }
    users = {
        "anonymous": None,
        "member": factories.UserFactory(),
        "author": author,
        "invited": invited,
        "triage": triage,
        "mentor": mentor,
    }
    return files_by_case, users


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", list(SEES))
def test_each_role_against_every_attachment_url(matrix, client_for, role, case):
    files_by_case, users = matrix
    attachment = files_by_case[case]
    client = client_for(users[role])
    expected = 200 if role in SEES[case] else 404
    for url in (
        attachment.get_absolute_url(),
        attachment.thumbnail_url,
        reverse("attachments:file", args=[attachment.pk, "other-name.png"]),
    ):
        assert client.get(url).status_code == expected, (case, role, url)
    assert client.get(reverse("attachments:file", args=[987654321, "p.png"])).status_code == 404


# --- races ---------------------------------------------------------------------------------------


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_uploads_at_once_cannot_pass_the_idea_limit(settings, customer, open_challenge):
    settings.ATTACHMENTS_PER_IDEA = 3
    idea = factories.IdeaFactory(challenge=open_challenge, author=customer)
    services.attachments_change(
        user=customer, idea=idea, add=[new_file("a.pdf", files.pdf()), new_file("b.pdf", files.pdf())]
    )
    barrier, results = threading.Barrier(4), []

    def upload_one(n):
        try:
            barrier.wait()
            services.attachments_change(user=customer, idea=idea, add=[new_file(f"race-{n}.pdf", files.pdf())])
            results.append("kept")
        except services.AttachmentRefused:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=upload_one, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["kept", "refused", "refused", "refused"]
    assert Attachment.objects.filter(idea=idea, removed_at__isnull=True).count() == 3


# --- comments -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_comment_takes_up_to_three_files(client_for, other_customer, idea, django_capture_on_commit_callbacks):
    client = client_for(other_customer)
    url = reverse("ideas:comment", args=[idea.pk])
    too_many = [upload(f"{n}.pdf", files.pdf()) for n in range(4)]
    response = client.post(url, {"body": "Here is how it looks elsewhere.", "comment-attachments-files": too_many})
    assert response.status_code == 400 and "Choose at most 3 files; you chose 4." in response.content.decode()
    assert not idea.comments.exists() and not Attachment.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "body": "Here is how it looks elsewhere.",
                "comment-attachments-files": [upload("elsewhere.png", files.png())],
                "comment-attachments-alt_text": "Lockers in Oslo",
            },
        )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.comment == idea.comments.get() and attachment.alt_text == "Lockers in Oslo"
    assert 'alt="Lockers in Oslo"' in client.get(idea.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_the_idea_page_reads_every_file_in_one_query(client, customer, other_customer, idea, django_assert_num_queries):
    def page_queries():
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(idea.get_absolute_url()).status_code == 200
        return len(queries)

    services.attachments_change(user=customer, idea=idea, add=[new_file("p.png", files.png(), "x")])
    comment = factories.CommentFactory(idea=idea, author=other_customer)
    services.comment_attachments_add(user=other_customer, comment=comment, add=[new_file("c.pdf", files.pdf())])
    before = page_queries()
    for n in range(4):
        more = factories.CommentFactory(idea=idea, author=other_customer)
        services.comment_attachments_add(
            user=other_customer, comment=more, add=[new_file(f"{n}.png", files.png(), "y")]
        )
    services.attachments_change(user=customer, idea=idea, add=[new_file("q.pdf", files.pdf())])
    assert page_queries() == before


# --- personal data ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_members_files_are_in_their_download_and_their_drafts_files_go_with_erasure(
    customer, idea, attachments_on_disk
):
    from core.personal_data import sections, sections_to_erase

    draft = factories.IdeaFactory(challenge=idea.challenge, author=customer, status=Status.DRAFT, submitted_at=None)
    services.attachments_change(user=customer, idea=idea, add=[new_file("kept.pdf", files.pdf())])
    (gone,) = services.attachments_change(user=customer, idea=draft, add=[new_file("draft.png", files.png(), "d")])
    section = next(section for section in sections() if section.key == "attachments")
    assert sorted(row["name"] for row in section.export(customer)) == ["draft.png", "kept.pdf"]
    erase_keys = [section.key for section in sections_to_erase()]
    assert erase_keys.index("attachments") < erase_keys.index("ideas")
    path = attachments_on_disk / gone.file.name
    assert path.exists()
    section.erase(customer, None)
    assert not path.exists()
    assert list(Attachment.objects.values_list("original_name", flat=True)) == ["kept.pdf"]
