"""The audit log: every staff action leaves one row with who, what, before and after, in the action's
own transaction (a refused action leaves none); the log is append-only, read-only in the admin,
filterable, exportable as CSV (the export itself audited), and keeps no member's name or address."""

import csv
import io

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.urls import reverse

from accounts.models import MENTOR_GROUP, TRIAGE_GROUP
from audit.models import AuditEntry, AuditEntryIsAppendOnly
from audit.services import audit_record
from challenges import services as challenge_services
from challenges.models import Challenge, ChallengeInvitation
from ideas import services as idea_services
from ideas.models import Merge, Status
from innovators import services as innovator_services
from tests import factories
from tests.decisions import expected_for
from webhooks.models import WebhookEndpoint

pytestmark = pytest.mark.django_db


def only_entry(**filters) -> AuditEntry:
    [entry] = AuditEntry.objects.filter(**filters)
    return entry


def personal_data_of(*users) -> list[str]:
    return [value for user in users for value in (user.email, user.display_name, user.username) if value]


def assert_no_personal_data(entry: AuditEntry, *users) -> None:
    stored = " ".join(str(v) for v in (entry.target_repr, entry.before, entry.after, entry.action))
    for value in personal_data_of(*users):
        assert value not in stored


# --- status changes, merges -----------------------------------------------------------------------


def test_the_status_page_records_the_change_with_its_reason(admin_client, admin_user):
    idea = factories.IdeaFactory()
    response = admin_client.post(
        reverse("admin:ideas_idea_change_status", args=[idea.pk]),
        {"to_status": Status.SHORTLISTED, "reason": "Many customers asked", "expected_status": expected_for(idea)},
    )
    assert response.status_code == 302
    entry = only_entry(action="idea.status_changed")
    assert entry.actor == admin_user and entry.target_type == "ideas.idea" and entry.target_id == str(idea.pk)
    assert entry.target_repr == idea.title
    assert entry.before == {"status": "submitted"}
    assert entry.after == {"status": "shortlisted", "reason": "Many customers asked"}
    assert_no_personal_data(entry, idea.author)


def test_the_bulk_action_records_one_row_per_idea(admin_client):
    ideas = [factories.IdeaFactory(), factories.IdeaFactory()]
    admin_client.post(
        reverse("admin:ideas_idea_changelist"),
        {
            "action": "change_status",
            "_selected_action": [idea.pk for idea in ideas],
            "apply": "Change status",
            "to_status": Status.SHORTLISTED,
            "reason": "",
            "expected_status": expected_for(*ideas),
        },
    )
    entries = AuditEntry.objects.filter(action="idea.status_changed").order_by("target_id")
    assert [e.target_id for e in entries] == sorted(str(i.pk) for i in ideas)


def test_a_refused_status_change_writes_no_row(customer, triage):
    idea = factories.IdeaFactory()
    with pytest.raises(idea_services.TransitionNotAllowed):
        idea_services.idea_status_change(idea=idea, to_status=Status.SHORTLISTED, changed_by=customer)
    with pytest.raises(idea_services.TransitionNotAllowed):  # a step the funnel does not allow
        idea_services.idea_status_change(idea=idea, to_status=Status.WINNER, changed_by=triage, reason="x")
    assert not AuditEntry.objects.exists()


def test_a_merge_records_the_original(triage):
    original = factories.IdeaFactory()
    duplicate = factories.IdeaFactory(challenge=original.challenge)
    idea_services.idea_status_change(
        idea=duplicate, to_status=Status.DUPLICATE, changed_by=triage, reason="Same idea", duplicate_of=original
    )
    entry = only_entry(action="idea.merged")
    assert entry.actor == triage and entry.target_id == str(duplicate.pk)
    assert entry.before == {"status": "submitted"}
    assert entry.after == {"status": "duplicate", "reason": "Same idea", "duplicate_of": original.pk}


# --- comment moderation ------------------------------------------------------------------------------


def test_hiding_and_showing_a_comment_are_recorded(triage, customer):
    comment = idea_services.comment_create(author=customer, idea=factories.IdeaFactory(), body="Call me on 0123")
    idea_services.comment_hide(staff=triage, comment=comment, reason="Personal details")
    hidden = only_entry(action="comment.hidden")
    assert hidden.actor == triage and hidden.target_type == "ideas.comment"
    assert hidden.before == {"hidden": False}
    assert hidden.after == {"hidden": True, "reason": "Personal details", "idea": comment.idea_id}
    assert_no_personal_data(hidden, comment.author)
    idea_services.comment_unhide(staff=triage, comment=comment)
    shown = only_entry(action="comment.unhidden")
    assert shown.before == {"hidden": True, "reason": "Personal details"} and shown.after["hidden"] is False


def test_a_refused_hide_writes_no_row(triage, customer):
    comment = factories.CommentFactory()
    with pytest.raises(idea_services.CommentNotAllowed):
        idea_services.comment_hide(staff=triage, comment=comment, reason="   ")
    with pytest.raises(idea_services.CommentNotAllowed):
        idea_services.comment_hide(staff=customer, comment=comment, reason="Because")
    assert not AuditEntry.objects.exists()


# --- imports -------------------------------------------------------------------------------------------

SURVEY = "respondent_id,segment,outcome_code,importance,satisfaction\nR1,,PLAN-01,5,2\nR2,,PLAN-01,3,3\n"


def test_a_survey_import_is_recorded_with_its_counts_and_a_dry_run_or_a_bad_file_is_not(admin_client, admin_user):
    factories.OutcomeFactory(code="PLAN-01")
    url = reverse("admin:scoring_rating_import")
    admin_client.post(url, {"file": SimpleUploadedFile("survey.csv", SURVEY.encode()), "dry_run": "on"})
    bad = SURVEY + "R3,,NOPE,9,9\n"
    admin_client.post(url, {"file": SimpleUploadedFile("bad.csv", bad.encode())})
    assert not AuditEntry.objects.exists()
    admin_client.post(url, {"file": SimpleUploadedFile("survey.csv", SURVEY.encode())})
    entry = only_entry(action="ratings.imported")
    assert entry.actor == admin_user
    assert entry.after["file_name"] == "survey.csv" and entry.after["ratings_created"] == 2
    assert entry.after["background"] is False and entry.before == {}


def test_a_background_import_is_recorded_by_its_job(admin_user, django_capture_on_commit_callbacks):
    from scoring.services.import_jobs import ratings_import_job_create

    factories.OutcomeFactory(code="PLAN-01")
    with django_capture_on_commit_callbacks(execute=True):
        job = ratings_import_job_create(file=SimpleUploadedFile("big.csv", SURVEY.encode()), user=admin_user)
    entry = only_entry(action="ratings.imported")
    assert entry.actor == admin_user and entry.target_type == "scoring.ratingsimportjob"
    assert entry.target_id == str(job.pk) and entry.after["background"] is True


# --- invitations -----------------------------------------------------------------------------------------


def test_email_invitations_are_recorded_by_id_never_by_address(triage):
    challenge = factories.ChallengeFactory(visibility=Challenge.Visibility.INVITE_ONLY)
    member = factories.UserFactory(email="known@example.com")
    challenge_services.challenge_invite_emails(
        challenge=challenge, emails=["ana@example.com", "known@example.com"], invited_by=triage
    )
    entry = only_entry(action="challenge.invitations_sent")
    ids = sorted(ChallengeInvitation.objects.values_list("pk", flat=True))
    assert entry.actor == triage and entry.target_id == str(challenge.pk)
    assert sorted(entry.after["invitation_ids"]) == ids and entry.after["member_ids_added"] == [member.pk]
    assert "example.com" not in str(entry.after)

    challenge_services.challenge_invitations_revoke(invitation_ids=ids[:1], revoked_by=triage)
    revoked = only_entry(action="challenge.invitations_revoked")
    assert revoked.before == {"invitation_ids": ids[:1]}


def test_refused_invitations_write_no_row(triage, customer):
    challenge = factories.ChallengeFactory(visibility=Challenge.Visibility.INVITE_ONLY)
    with pytest.raises(challenge_services.InvitationError):
        challenge_services.challenge_invite_emails(challenge=challenge, emails=["not an address"], invited_by=triage)
    with pytest.raises(challenge_services.InvitationError):
        challenge_services.challenge_invite_emails(challenge=challenge, emails=["a@example.com"], invited_by=customer)
    assert not AuditEntry.objects.exists()


def test_inviting_innovators_is_recorded_and_a_refusal_is_not(triage, customer, other_customer):
    public = factories.ChallengeFactory()
    with pytest.raises(innovator_services.InvitationRefused):
        innovator_services.innovators_invite(challenge=public, users=[customer], invited_by=triage)
    assert not AuditEntry.objects.exists()
    private = factories.ChallengeFactory(visibility=Challenge.Visibility.INVITE_ONLY)
    private.invited_members.add(other_customer)
    innovator_services.innovators_invite(challenge=private, users=[customer, other_customer], invited_by=triage)
    entry = only_entry(action="challenge.innovators_invited")
    assert entry.before == {"invited_member_ids": [other_customer.pk]}
    assert entry.after == {"member_ids_added": [customer.pk]}
    assert_no_personal_data(entry, customer, other_customer)


def test_changing_who_may_see_a_challenge_in_its_admin_form_is_recorded(admin_client, customer):
    challenge = factories.ChallengeFactory(visibility=Challenge.Visibility.INVITE_ONLY)
    response = admin_client.get(reverse("admin:challenges_challenge_change", args=[challenge.pk]))
    data = _form_data(response)
    data["invited_members"] = [str(customer.pk)]
    response = admin_client.post(reverse("admin:challenges_challenge_change", args=[challenge.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = only_entry(action="challenge.access_changed")
    assert entry.after == {"visibility": "invite_only", "member_ids_added": [customer.pk]}
    assert entry.before == {"visibility": "invite_only", "member_ids_removed": []}


def test_a_phase_change_by_staff_is_recorded(triage):
    challenge = factories.ChallengeFactory()
    challenge_services.challenge_phase_set(challenge=challenge, phase=Challenge.Phase.REVIEW, changed_by=triage)
    entry = only_entry(action="challenge.phase_changed")
    assert entry.before == {"phase": "open"} and entry.after == {"phase": "review"}


# --- roles and groups ------------------------------------------------------------------------------------


def _form_data(response) -> dict:
    """The values a change page's form would post back (its fields' initial values, formsets' management forms)."""
    data = {}
    adminform = response.context["adminform"]
    for name, field in adminform.form.fields.items():
        value = adminform.form[name].value()
        if value is None or field.disabled:
            continue
        if isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = str(value)
    for formset in response.context.get("inline_admin_formsets", []):
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = str(management[name].value() or 0)
        for form in formset.formset.forms:
            for name in form.fields:
                value = form[name].value()
                if value is not None:
                    data[f"{form.prefix}-{name}"] = str(value)
    return data


def test_giving_a_member_a_role_is_recorded_and_an_unrelated_edit_is_not(admin_client, admin_user, customer):
    url = reverse("admin:accounts_user_change", args=[customer.pk])
    data = _form_data(admin_client.get(url))
    data["display_name"] = "Cora C."
    assert admin_client.post(url, data).status_code == 302
    assert not AuditEntry.objects.exists()

    triage_group = factories.triage_group()
    mentors, _ = Group.objects.get_or_create(name=MENTOR_GROUP)
    data = _form_data(admin_client.get(url))
    data |= {"is_staff": "on", "groups": [str(triage_group.pk), str(mentors.pk)]}
    assert admin_client.post(url, data).status_code == 302
    entry = only_entry(action="user.roles_changed")
    assert entry.actor == admin_user and entry.target_type == "accounts.user" and entry.target_id == str(customer.pk)
    assert entry.target_repr == f"user #{customer.pk}"
    assert entry.before == {"groups": [], "is_staff": False}
    assert entry.after == {"groups": sorted([TRIAGE_GROUP, MENTOR_GROUP]), "is_staff": True}
    customer.refresh_from_db()
    assert_no_personal_data(entry, customer)


def test_a_role_change_the_admin_refuses_writes_no_row(client, triage, customer):
    client.force_login(triage)  # triage staff may not change members
    url = reverse("admin:accounts_user_change", args=[customer.pk])
    client.post(url, {"username": customer.username, "email": customer.email, "is_staff": "on"})
    customer.refresh_from_db()
    assert not customer.is_staff and not AuditEntry.objects.exists()


# --- exports -----------------------------------------------------------------------------------------------


def test_a_metrics_export_is_recorded_and_a_refused_one_is_not(client, triage, customer):
    client.force_login(customer)
    assert client.get(reverse("metrics:export", args=["funnel"])).status_code == 404
    assert not AuditEntry.objects.exists()
    client.force_login(triage)
    assert client.get(reverse("metrics:export", args=["funnel"])).status_code == 200
    entry = only_entry(action="metrics.exported")
    assert entry.actor == triage and entry.after["table"] == "funnel" and entry.after["scope"] == "overall"


def test_the_audit_export_is_a_csv_of_the_filtered_list_and_is_itself_recorded(admin_client, admin_user, triage):
    idea = factories.IdeaFactory()
    idea_services.idea_status_change(idea=idea, to_status=Status.SHORTLISTED, changed_by=triage)
    audit_record(actor=triage, action="comment.hidden", target=factories.CommentFactory(), after={"hidden": True})
    response = admin_client.get(reverse("admin:audit_auditentry_export"), {"action": "idea.status_changed"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:5] == ["id", "when", "actor_id", "actor", "action"]
    assert [row[4] for row in rows[1:]] == ["idea.status_changed"]
    assert rows[1][7] == idea.title and '"status": "shortlisted"' in rows[1][9]
    export = only_entry(action="audit.exported")
    assert export.actor == admin_user and export.after == {"filters": {"action": "idea.status_changed"}}


def test_only_those_allowed_to_read_the_log_may_export_it(client, triage):
    client.force_login(triage)
    assert client.get(reverse("admin:audit_auditentry_export")).status_code == 403
    assert client.get(reverse("admin:audit_auditentry_changelist")).status_code == 403
    assert not AuditEntry.objects.filter(action="audit.exported").exists()


# --- webhook endpoints -----------------------------------------------------------------------------------


def test_creating_and_changing_a_webhook_endpoint_is_recorded_without_its_secret(admin_client, admin_user):
    add = reverse("admin:webhooks_webhookendpoint_add")
    response = admin_client.post(
        add,
        {
            "name": "Slack #ideas",
            "url": "ftp://hooks.example.com/x",
            "event_types": ["idea.submitted"],
            "format": "slack",
            "active": "on",
        },
    )
    assert "Enter a valid URL." in response.content.decode()
    assert not WebhookEndpoint.objects.exists() and not AuditEntry.objects.exists()
    response = admin_client.post(
        add,
        {
            "name": "Slack #ideas",
            "url": "https://hooks.example.com/x",
            "event_types": ["idea.submitted"],
            "format": "slack",
            "active": "on",
        },
    )
    assert response.status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret.startswith("whsec_")
    created = only_entry(action="webhook.endpoint_created")
    assert created.actor == admin_user and created.after["url"] == "https://hooks.example.com/x"
    assert endpoint.secret not in str(created.after)

    change = reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk])
    admin_client.post(
        change,
        {
            "name": "Slack #ideas",
            "url": "https://hooks.example.com/x",
            "event_types": ["idea.submitted", "comment.posted"],
            "format": "slack",
        },
    )
    changed = only_entry(action="webhook.endpoint_changed")
    assert changed.before["event_types"] == ["idea.submitted"] and changed.before["active"] is True
    assert changed.after["event_types"] == ["idea.submitted", "comment.posted"] and changed.after["active"] is False

    admin_client.post(
        reverse("admin:webhooks_webhookendpoint_changelist"),
        {"action": "rotate_secret", "_selected_action": [endpoint.pk]},
    )
    rotated = only_entry(action="webhook.secret_rotated")
    endpoint_before = endpoint.secret
    endpoint.refresh_from_db()
    assert endpoint.secret != endpoint_before and endpoint.secret not in str(rotated.after)

    admin_client.post(reverse("admin:webhooks_webhookendpoint_delete", args=[endpoint.pk]), {"post": "yes"})
    assert only_entry(action="webhook.endpoint_deleted").before["name"] == "Slack #ideas"
    assert not WebhookEndpoint.objects.exists()


# --- the log itself ----------------------------------------------------------------------------------------


def test_an_entry_is_never_changed_or_deleted_through_the_orm(triage):
    entry = audit_record(actor=triage, action="idea.status_changed", after={"status": "shortlisted"})
    entry.action = "something.else"
    with pytest.raises(AuditEntryIsAppendOnly):
        entry.save()
    with pytest.raises(AuditEntryIsAppendOnly):
        entry.delete()
    with pytest.raises(AuditEntryIsAppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(action="x")
    with pytest.raises(AuditEntryIsAppendOnly):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get().action == "idea.status_changed"


@pytest.mark.postgresql
def test_postgresql_refuses_changes_by_sql_but_lets_an_erased_actor_go(triage):
    entry = audit_record(actor=triage, action="idea.status_changed", after={"status": "shortlisted"})
    for sql in (
        "UPDATE audit_auditentry SET action = 'x' WHERE id = %s",
        "UPDATE audit_auditentry SET after = '{}' WHERE id = %s",
        "DELETE FROM audit_auditentry WHERE id = %s",
    ):
        with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    triage.delete()  # the actor's account erased: the row stays, without them
    kept = AuditEntry.objects.get()
    assert kept.actor_id is None and kept.action == "idea.status_changed" and kept.after == {"status": "shortlisted"}


def test_the_admin_is_read_only_even_for_a_superuser_and_filters(admin_client, triage):
    entry = audit_record(actor=triage, action="comment.hidden", after={"hidden": True})
    audit_record(actor=None, action="webhook.endpoint_disabled")
    changelist = reverse("admin:audit_auditentry_changelist")
    assert admin_client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    assert (
        admin_client.post(reverse("admin:audit_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    )
    page = admin_client.get(reverse("admin:audit_auditentry_change", args=[entry.pk])).content.decode()
    assert 'name="_save"' not in page
    listed = admin_client.get(changelist, {"action": "comment.hidden"})
    assert list(listed.context["cl"].result_list) == [entry]
    listed = admin_client.get(changelist, {"actor__id__exact": triage.pk})
    assert list(listed.context["cl"].result_list) == [entry]
    assert "Export CSV (these filters)" in listed.content.decode()
    assert AuditEntry.objects.count() == 2


def test_the_list_reads_in_a_fixed_number_of_queries(admin_client, triage, django_assert_max_num_queries):
    changelist = reverse("admin:audit_auditentry_changelist")
    for n in range(5):
        audit_record(actor=triage, action="comment.hidden", after={"n": n})
    admin_client.get(changelist)
    with django_assert_max_num_queries(12) as few:
        admin_client.get(changelist)
    for n in range(40):
        audit_record(actor=factories.TriageFactory(), action="comment.hidden", after={"n": n})
    with django_assert_max_num_queries(len(few.captured_queries)):
        admin_client.get(changelist)


def test_changing_what_a_group_may_do_is_recorded(admin_client, admin_user):
    from django.contrib.auth.models import Permission

    group, _ = Group.objects.get_or_create(name=MENTOR_GROUP)
    permission = Permission.objects.get(content_type__app_label="ideas", codename="view_idea")
    url = reverse("admin:auth_group_change", args=[group.pk])
    assert admin_client.post(url, {"name": MENTOR_GROUP, "permissions": [permission.pk]}).status_code == 302
    entry = only_entry(action="group.changed")
    assert entry.actor == admin_user and entry.target_type == "auth.group"
    assert entry.before == {"name": MENTOR_GROUP, "permissions": []}
    assert entry.after == {"name": MENTOR_GROUP, "permissions": ["ideas.view_idea"]}
    admin_client.post(url, {"name": MENTOR_GROUP, "permissions": [permission.pk]})  # saved unchanged
    assert AuditEntry.objects.filter(action="group.changed").count() == 1


def test_assigning_and_reassigning_a_mentor_are_recorded(triage, mentor):
    from reviews.services import mentor_assign, mentor_reassign

    idea = factories.IdeaFactory(status=Status.SHORTLISTED)
    mentor_assign(ideas=[idea], mentors=[mentor], capacity=3, assigned_by=triage)
    assigned = only_entry(action="mentor.assigned")
    assert assigned.before == {"mentor_id": None} and assigned.after == {"mentor_id": mentor.pk}
    other = factories.MentorFactory()
    mentor_reassign(idea=idea, mentor=other, assigned_by=triage)
    reassigned = only_entry(action="mentor.reassigned")
    assert reassigned.before == {"mentor_id": mentor.pk} and reassigned.after == {"mentor_id": other.pk}
    assert_no_personal_data(reassigned, mentor, other)


def test_a_scorecard_is_recorded_with_its_scores_and_a_refused_one_is_not(triage, customer):
    from reviews.services import ScreeningError, criteria_ensure_defaults, screening_delete, screening_save

    idea = factories.IdeaFactory()
    criteria = criteria_ensure_defaults(challenge=idea.challenge)
    scores = {c.pk: (4, "") for c in criteria}
    with pytest.raises(ScreeningError):
        screening_save(idea=idea, screener=customer, scores=scores)
    assert not AuditEntry.objects.exists()
    screening_save(idea=idea, screener=triage, scores=scores, notes="Promising")
    first = only_entry(action="idea.screened")
    assert first.before == {} and first.after["scores"] == {str(c.pk): 4 for c in criteria}
    assert first.after["screening_score"] == 4.0
    screening_save(idea=idea, screener=triage, scores={c.pk: (2, "") for c in criteria})
    second = AuditEntry.objects.filter(action="idea.screened").order_by("pk").last()
    assert second.before == {"scores": {str(c.pk): 4 for c in criteria}}
    screening_delete(idea=idea, screener=triage)
    assert only_entry(action="idea.screening_deleted").target_id == str(idea.pk)


# --- the triage desk's own actions (issue 16, merged beside this log) ---------------------------------


def test_an_undone_merge_is_recorded_with_what_came_back_and_a_refused_undo_is_not(triage, customer):
    original = factories.IdeaFactory()
    duplicate = factories.IdeaFactory(challenge=original.challenge)
    voter = factories.UserFactory()
    idea_services.vote_cast(user=voter, idea=duplicate, value=1)
    idea_services.idea_status_change(
        idea=duplicate, to_status=Status.DUPLICATE, changed_by=triage, reason="Same idea", duplicate_of=original
    )
    merge = Merge.objects.get(duplicate=duplicate)
    with pytest.raises(idea_services.IdeaError):
        idea_services.idea_unmerge(merge=merge, undone_by=customer)
    assert not AuditEntry.objects.filter(action="idea.unmerged").exists()

    idea_services.idea_unmerge(merge=merge, undone_by=triage)
    entry = only_entry(action="idea.unmerged")
    assert entry.actor == triage and entry.target_id == str(duplicate.pk)
    assert entry.before == {"status": "duplicate", "duplicate_of": original.pk}
    assert entry.after == {"status": "submitted", "votes_back": 1, "followers_back": 0}
    assert_no_personal_data(entry, voter, customer)


def test_a_list_export_is_recorded_with_its_filters_and_a_refused_one_is_not(client, triage, customer):
    factories.IdeaFactory(title="Lockers at the station")
    url = reverse("admin:ideas_idea_export") + "?q=Lockers"
    client.force_login(customer)
    assert client.get(url).status_code in (302, 403)
    assert not AuditEntry.objects.filter(action="list.exported").exists()

    client.force_login(triage)
    response = client.get(url)
    assert response.status_code == 200
    b"".join(response.streaming_content)
    entry = only_entry(action="list.exported")
    assert entry.actor == triage
    assert entry.after == {"list": "ideas", "filters": "q=Lockers"}


def test_an_announcement_is_recorded_with_its_audience_and_a_refused_one_is_not(triage, customer):
    challenge = factories.ChallengeFactory()
    follower = factories.UserFactory()
    challenge_services.challenge_follow(user=follower, challenge=challenge)
    with pytest.raises(challenge_services.ChallengeError):
        challenge_services.challenge_announce(
            challenge=challenge, sent_by=customer, subject="Hello", body="Body", send_key="k1"
        )
    assert not AuditEntry.objects.filter(action="challenge.announced").exists()

    announcement = challenge_services.challenge_announce(
        challenge=challenge, sent_by=triage, subject="Review starts Monday", body="We read every idea.", send_key="k2"
    )
    entry = only_entry(action="challenge.announced")
    assert entry.actor == triage and entry.target_id == str(challenge.pk)
    assert entry.after == {"announcement": announcement.pk, "audience": 1}
    assert_no_personal_data(entry, follower)


def test_the_audit_export_guards_a_title_a_spreadsheet_would_run(admin_client, triage):
    idea = factories.IdeaFactory(title='=HYPERLINK("http://evil.example","Lockers")')
    idea_services.idea_status_change(idea=idea, to_status=Status.SHORTLISTED, changed_by=triage)
    response = admin_client.get(reverse("admin:audit_auditentry_export"), {"action": "idea.status_changed"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][7] == "'" + idea.title
