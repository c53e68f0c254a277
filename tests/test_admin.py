"""The staff admin: every page opens, changelists cost a constant number of queries, and status
changes go through ideas.services with a reason, idea by idea."""

import pytest
from django.contrib.messages import ERROR, SUCCESS
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from challenges.models import Challenge, Job, Outcome, Segment, SelectionCriterion
from ideas import services
from ideas.models import Comment, Idea, Status, StatusChange, Vote
from scoring.models import Rating, Respondent
from tests import factories
from tests.decisions import expected_for

CHANGELIST_URL = reverse("admin:ideas_idea_changelist")


@pytest.fixture
def outcome(db):
    job = Job.objects.create(name="Plan a weekly shop")
    return Outcome.objects.create(job=job, code="PLAN-01", statement="Minimise the time it takes to plan meals")


@pytest.fixture
def challenge(outcome):
    challenge = Challenge.objects.create(
        title="Faster meal planning",
        slug="faster-meal-planning",
        brief="How could planning take less time?",
        phase="open",
    )
    challenge.outcomes.add(outcome)
    return challenge


@pytest.fixture
def customer(django_user_model):
    return django_user_model.objects.create_user(
        username="casey", email="casey@example.com", password="pw-casey-123", display_name="Casey"
    )


@pytest.fixture
def triage_user(django_user_model):
    user = django_user_model.objects.create_user(
        username="triage", email="tri@example.com", password="pw-tri-123", is_staff=True
    )
    user.groups.add(factories.triage_group())
    return user


@pytest.fixture
def triage_client(client, triage_user):
    client.force_login(triage_user)
    return client


def make_idea(challenge, author, title, *, submit=True):
    return services.idea_create(
        author=author,
        challenge=challenge,
        title=title,
        problem="Planning takes an hour every Sunday.",
        solution="Suggest a plan from last week's basket.",
        outcomes=list(challenge.outcomes.all()),
        submit=submit,
    )


def run_action(client, ideas, **form):
    """Post the "Change status…" action the way the intermediate page does."""
    data = {
        "action": "change_status",
        "_selected_action": [idea.pk for idea in ideas],
        "apply": "Change status",
        "expected_status": expected_for(ideas),
    }
    data.update(form)
    return client.post(CHANGELIST_URL, data, follow=True)


def messages_of(response):
    return [(m.level, str(m)) for m in response.context["messages"]]


@pytest.fixture
def one_of_each(challenge, outcome, customer, django_user_model):
    """A row in every table, so change pages have something to show."""
    voter = django_user_model.objects.create_user(username="vic", email="vic@example.com", password="pw-vic-123")
    idea = make_idea(challenge, customer, "Plan from the last basket")
    services.vote_cast(user=voter, idea=idea, value=Vote.Value.UP)
    services.comment_create(author=voter, idea=idea, body="Yes please")
    services.idea_status_change(idea=idea, to_status=Status.SHORTLISTED, changed_by=_superuser(django_user_model))
    SelectionCriterion.objects.create(challenge=challenge, name="Pain-point fit", weight=40)
    segment = Segment.objects.create(name="Customers")
    respondent = Respondent.objects.create(key="member-1", user=voter, segment=segment)
    Rating.objects.create(
        respondent=respondent, outcome=outcome, wave=factories.round_of(outcome), importance=5, satisfaction=2
    )
    return {
        "accounts.user": voter,
        "challenges.job": outcome.job,
        "challenges.outcome": outcome,
        "challenges.segment": segment,
        "challenges.challenge": challenge,
        "challenges.selectioncriterion": None,
        "ideas.idea": idea,
        "ideas.vote": Vote.objects.get(),
        "ideas.comment": Comment.objects.get(),
        "ideas.statuschange": StatusChange.objects.get(),
        "scoring.respondent": respondent,
        "scoring.rating": Rating.objects.get(),
        "scoring.surveywave": Rating.objects.get().wave,
    }


def _superuser(django_user_model):
    user, _ = django_user_model.objects.get_or_create(
        username="boss", defaults={"email": "boss@example.com", "is_staff": True, "is_superuser": True}
    )
    return user


# model, title of its changelist for a superuser, whether the admin offers an add page
ADMIN_PAGES = [
    ("accounts.user", "Select user to change", True),
    ("challenges.job", "Select job to change", True),
    ("challenges.outcome", "Select outcome to change", True),
    ("challenges.segment", "Select segment to change", True),
    ("challenges.challenge", "Select challenge to change", True),
    ("ideas.idea", "Select idea to change", False),
    ("ideas.vote", "Select vote to view", False),
    ("ideas.comment", "Select comment to change", False),
    ("ideas.statuschange", "Select status change to view", False),
    ("scoring.respondent", "Select respondent to change", True),
    ("scoring.rating", "Select rating to view", False),
    ("scoring.surveywave", "Select survey wave to change", True),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "title", "can_add"), ADMIN_PAGES)
def test_superuser_opens_every_admin_page(admin_client, one_of_each, model, title, can_add):
    app_label, model_name = model.split(".")
    response = admin_client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))
    assert response.status_code == 200
    assert response.context["title"] == title
    assert "Idea portal — staff" in response.text

    response = admin_client.get(reverse(f"admin:{app_label}_{model_name}_add"))
    assert response.status_code == (200 if can_add else 403)
    if can_add:
        assert response.context["title"].startswith("Add ")

    obj = one_of_each[model]
    response = admin_client.get(reverse(f"admin:{app_label}_{model_name}_change", args=[obj.pk]))
    assert response.status_code == 200


@pytest.mark.django_db
def test_selection_criteria_have_no_admin_of_their_own(admin_client):
    """They are edited inline on their challenge."""
    response = admin_client.get("/admin/challenges/selectioncriterion/")
    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url_name", "status"),
    [
        ("admin:ideas_idea_changelist", 200),
        ("admin:ideas_statuschange_changelist", 200),
        ("admin:ideas_vote_changelist", 200),
        ("admin:ideas_comment_changelist", 200),
        ("admin:challenges_challenge_changelist", 200),
        ("admin:challenges_challenge_add", 200),
        ("admin:challenges_job_add", 200),
        ("admin:challenges_outcome_add", 200),
        ("admin:scoring_rating_changelist", 200),
        ("admin:scoring_rating_add", 403),
        ("admin:accounts_user_changelist", 403),
        ("admin:auth_group_changelist", 403),
    ],
)
def test_triage_staff_see_what_their_group_allows(triage_client, url_name, status):
    assert triage_client.get(reverse(url_name)).status_code == status


@pytest.mark.django_db
def test_triage_staff_search_members_to_invite_but_not_the_member_list(triage_client, customer):
    url = reverse("admin:autocomplete")
    query = {"app_label": "challenges", "model_name": "challenge", "field_name": "invited_members", "term": "casey"}
    response = triage_client.get(url, query)
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [str(customer.pk)]
    assert triage_client.get(reverse("admin:accounts_user_change", args=[customer.pk])).status_code == 403


@pytest.mark.django_db
def test_customer_is_sent_to_the_admin_login(client, customer):
    client.force_login(customer)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    response = client.get(CHANGELIST_URL)
    assert response.status_code == 302


@pytest.mark.django_db
def test_idea_changelist_queries_do_not_grow_with_the_ideas(admin_client, challenge, customer, django_user_model):
    def count_queries():
        with CaptureQueriesContext(connection) as captured:
            response = admin_client.get(CHANGELIST_URL)
        assert response.status_code == 200
        return len(captured), response

    authors = [
        django_user_model.objects.create_user(username=f"a{i}", email=f"a{i}@example.com", password="x")
        for i in range(25)
    ]
    for i in range(5):
        make_idea(challenge, authors[i], f"Idea {i}")
    few, _ = count_queries()
    for i in range(5, 25):
        make_idea(challenge, authors[i], f"Idea {i}")
    many, response = count_queries()
    assert response.context["cl"].result_count == 25
    assert many == few
    assert many <= 15


@pytest.mark.django_db
def test_other_changelists_query_count_does_not_grow(admin_client, one_of_each, challenge, outcome, django_user_model):
    urls = [
        reverse(f"admin:{m.replace('.', '_')}_changelist")
        for m, _, _ in ADMIN_PAGES
        if m not in {"ideas.idea", "accounts.user"}
    ]

    def counts():
        result = []
        for url in urls:
            with CaptureQueriesContext(connection) as captured:
                assert admin_client.get(url).status_code == 200
            result.append(len(captured))
        return result

    before = counts()
    idea = one_of_each["ideas.idea"]
    for i in range(4):
        user = django_user_model.objects.create_user(username=f"m{i}", email=f"m{i}@example.com", password="x")
        other = make_idea(challenge, user, f"More {i}")
        services.vote_cast(user=user, idea=idea, value=Vote.Value.DOWN)
        services.comment_create(author=user, idea=idea, body=f"Comment {i}")
        services.idea_status_change(idea=other, to_status=Status.SHORTLISTED, changed_by=_superuser(django_user_model))
        job = Job.objects.create(name=f"Job {i}")
        extra_outcome = Outcome.objects.create(job=job, code=f"J-{i}", statement="Minimise waste")
        Challenge.objects.create(title=f"C {i}", slug=f"c-{i}", brief="?")
        respondent = Respondent.objects.create(key=f"r-{i}", user=user, segment=Segment.objects.get())
        Rating.objects.create(
            respondent=respondent,
            outcome=extra_outcome,
            wave=factories.round_of(extra_outcome),
            importance=3,
            satisfaction=3,
        )
    assert counts() == before


@pytest.mark.django_db
def test_action_shows_an_intermediate_page_first(admin_client, challenge, customer):
    idea = make_idea(challenge, customer, "Plan from the last basket")
    response = admin_client.post(CHANGELIST_URL, {"action": "change_status", "_selected_action": [idea.pk], "index": 0})
    assert response.status_code == 200
    assert response.templates[0].name == "admin/ideas/idea/change_status.html"
    html = response.text
    assert f'name="_selected_action" value="{idea.pk}"' in html
    assert 'name="action" value="change_status"' in html
    assert 'name="apply"' in html
    assert "The author and the idea&#x27;s followers read this" in html
    choices = [value for value, _ in response.context["form"].fields["to_status"].choices]
    assert Status.DRAFT not in choices and Status.SUBMITTED not in choices
    idea.refresh_from_db()
    assert idea.status == Status.SUBMITTED
    assert not StatusChange.objects.exists()


@pytest.mark.django_db
def test_action_shortlists_legal_ideas_and_refuses_the_rest_by_name(
    admin_client, challenge, customer, django_user_model
):
    first = make_idea(challenge, customer, "Plan from the last basket")
    second = make_idea(challenge, customer, "Share plans with family")
    draft = make_idea(challenge, customer, "Half-written draft", submit=False)

    response = run_action(admin_client, [first, second, draft], to_status="shortlisted", reason="Hits the pain point.")

    assert response.redirect_chain[-1][0] == CHANGELIST_URL
    for idea in (first, second):
        idea.refresh_from_db()
        assert idea.status == Status.SHORTLISTED
        assert idea.decided_at is not None
        change = StatusChange.objects.get(idea=idea)
        assert (change.from_status, change.to_status, change.reason) == (
            "submitted",
            "shortlisted",
            "Hits the pain point.",
        )
        assert change.changed_by.username == "admin"
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert not StatusChange.objects.filter(idea=draft).exists()

    msgs = messages_of(response)
    errors = [text for level, text in msgs if level == ERROR]
    successes = [text for level, text in msgs if level == SUCCESS]
    assert len(errors) == 1 and "Half-written draft" in errors[0] and "cannot become shortlisted" in errors[0]
    assert len(successes) == 1
    assert "2 ideas now shortlisted" in successes[0]
    assert "Plan from the last basket" in successes[0] and "Share plans with family" in successes[0]


@pytest.mark.django_db
def test_action_refuses_a_step_the_funnel_does_not_allow(admin_client, challenge, customer):
    submitted = make_idea(challenge, customer, "Plan from the last basket")
    response = run_action(admin_client, [submitted], to_status="winner", reason="Great")

    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    assert submitted.decided_at is None
    # issue 16: the bulk form offers only the statuses the selected ideas can take, so "winner" is
    # refused by the form for a submitted idea; a step one idea of a mixed selection cannot take is
    # refused by the service, by name.
    assert "winner" not in {v for v, _ in response.context["form"].fields["to_status"].choices}
    assert response.context["form"].errors["to_status"]
    finalist = make_idea(challenge, customer, "Finalist plan")
    Idea.objects.filter(pk=finalist.pk).update(status=Status.FINALIST)
    response = run_action(admin_client, [submitted, finalist], to_status="not_selected", reason="Not this time")
    msgs = messages_of(response)
    assert [level for level, _ in msgs] == [ERROR, SUCCESS]
    assert "Plan from the last basket" in msgs[0][1] and "cannot become not selected" in msgs[0][1]
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


@pytest.mark.django_db
def test_decline_without_reason_is_refused_and_changes_nothing(admin_client, challenge, customer):
    idea = make_idea(challenge, customer, "Plan from the last basket")

    response = run_action(admin_client, [idea], to_status="declined", reason="   ")

    assert response.status_code == 200
    assert response.templates[0].name == "admin/ideas/idea/change_status.html"
    assert "Give the author a reason" in response.context["form"].errors["reason"][0]
    idea.refresh_from_db()
    assert idea.status == Status.SUBMITTED
    assert not StatusChange.objects.exists()


@pytest.mark.django_db
def test_duplicate_merges_into_the_named_idea(admin_client, challenge, customer, django_user_model):
    original = make_idea(challenge, customer, "Plan from the last basket")
    copy = make_idea(challenge, customer, "Plan from my basket")
    voter = django_user_model.objects.create_user(username="vic", email="vic@example.com", password="x")
    services.vote_cast(user=voter, idea=copy, value=Vote.Value.UP)

    # The merge shows what moves first; confirming it (the preview's button) merges.
    response = run_action(admin_client, [copy], to_status="duplicate", reason="Same as #1", duplicate_of=original.pk)
    assert "1 vote move" in response.content.decode()
    copy.refresh_from_db()
    assert copy.status == Status.SUBMITTED
    response = run_action(
        admin_client, [copy], to_status="duplicate", reason="Same as #1", duplicate_of=original.pk, confirm_merge="1"
    )
    assert [level for level, _ in messages_of(response)] == [SUCCESS]
    copy.refresh_from_db()
    original.refresh_from_db()
    assert copy.status == Status.DUPLICATE and copy.duplicate_of == original
    assert original.votes_up == 1

    # A duplicate needs its original: the form says so and nothing changes.
    other = make_idea(challenge, customer, "Plan again")
    response = run_action(admin_client, [other], to_status="duplicate", reason="Same")
    assert response.status_code == 200
    assert "duplicate_of" in response.context["form"].errors
    other.refresh_from_db()
    assert other.status == Status.SUBMITTED


@pytest.mark.django_db
def test_triage_staff_run_the_action_and_plain_staff_cannot(triage_client, challenge, customer, django_user_model):
    idea = make_idea(challenge, customer, "Plan from the last basket")
    response = run_action(triage_client, [idea], to_status="shortlisted", reason="")
    assert [level for level, _ in messages_of(response)] == [SUCCESS]
    idea.refresh_from_db()
    assert idea.status == Status.SHORTLISTED

    # Staff with the same model permissions but outside the Triage group get no status action.
    other = make_idea(challenge, customer, "Share plans with family")
    staff = django_user_model.objects.create_user(username="s", email="s@example.com", password="x", is_staff=True)
    staff.user_permissions.add(*factories.triage_group().permissions.all())
    staff_client = Client()
    staff_client.force_login(staff)
    response = staff_client.get(CHANGELIST_URL)
    assert response.status_code == 200
    action_form = response.context["action_form"]
    assert action_form is None or "change_status" not in dict(action_form.fields["action"].choices)
    run_action(staff_client, [other], to_status="shortlisted", reason="")
    other.refresh_from_db()
    assert other.status == Status.SUBMITTED
    assert not StatusChange.objects.filter(idea=other).exists()


@pytest.mark.django_db
def test_status_and_counters_cannot_be_edited_in_the_idea_form(admin_client, challenge, outcome, customer):
    idea = make_idea(challenge, customer, "Plan from the last basket")
    url = reverse("admin:ideas_idea_change", args=[idea.pk])
    response = admin_client.get(url)
    form_fields = set(response.context["adminform"].form.fields)
    assert form_fields == {"title", "problem", "solution", "outcomes"}
    assert "Change status…" in response.text

    data = {
        "title": "  Plan from the basket  ",
        "problem": idea.problem,
        "solution": idea.solution,
        "outcomes": [outcome.pk],
        "status": "winner",
        "votes_up": 99,
        **{
            f"{prefix}-{name}": value
            for prefix in ("status_changes", "answers", "coauthors")
            for name, value in (("TOTAL_FORMS", 0), ("INITIAL_FORMS", 0), ("MIN_NUM_FORMS", 0), ("MAX_NUM_FORMS", 1000))
        },
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.title == "Plan from the basket"
    assert idea.status == Status.SUBMITTED
    assert idea.votes_up == 0


@pytest.mark.django_db
def test_status_history_is_shown_read_only_on_the_idea(admin_client, challenge, customer):
    idea = make_idea(challenge, customer, "Plan from the last basket")
    run_action(admin_client, [idea], to_status="declined", reason="We cannot deliver this next year.")
    response = admin_client.get(reverse("admin:ideas_idea_change", args=[idea.pk]))
    assert "We cannot deliver this next year." in response.text
    inline = response.context["inline_admin_formsets"][0]
    assert not inline.has_add_permission and not inline.has_delete_permission and not inline.has_change_permission
    assert "Change status…" not in response.text  # declined is the end of the road


@pytest.mark.django_db
def test_change_status_from_the_idea_page(admin_client, challenge, customer):
    idea = make_idea(challenge, customer, "Plan from the last basket")
    url = reverse("admin:ideas_idea_change_status", args=[idea.pk])

    response = admin_client.get(url)
    assert response.status_code == 200
    assert [v for v, _ in response.context["form"].fields["to_status"].choices] == [
        "under_review",  # issue 16: the first answer that is not yet a decision
        "shortlisted",
        "declined",
        "duplicate",
    ]

    response = admin_client.post(
        url, {"to_status": "winner", "reason": "x", "apply": "1", "expected_status": expected_for(idea)}
    )
    assert response.status_code == 200
    assert "to_status" in response.context["form"].errors

    response = admin_client.post(
        url, {"to_status": "shortlisted", "reason": "Strong fit.", "apply": "1", "expected_status": expected_for(idea)}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:ideas_idea_change", args=[idea.pk])
    idea.refresh_from_db()
    assert idea.status == Status.SHORTLISTED
    assert StatusChange.objects.get(idea=idea).reason == "Strong fit."


@pytest.mark.django_db
def test_plain_staff_cannot_open_the_status_page(client, challenge, customer, django_user_model):
    idea = make_idea(challenge, customer, "Plan from the last basket")
    staff = django_user_model.objects.create_user(username="s", email="s@example.com", password="x", is_staff=True)
    staff.user_permissions.add(*factories.triage_group().permissions.all())
    client.force_login(staff)
    response = client.get(reverse("admin:ideas_idea_change_status", args=[idea.pk]))
    assert response.status_code == 403


@pytest.mark.django_db
def test_challenge_is_created_with_its_criteria(admin_client, outcome):
    data = {
        "title": "Less food waste",
        "slug": "less-food-waste",
        "phase": "draft",
        "visibility": "public",
        "brief": "How could we help you waste less?",
        "outcomes": [outcome.pk],
        "answer_within_days": 10,
        "criteria-TOTAL_FORMS": 1,
        "criteria-INITIAL_FORMS": 0,
        "criteria-MIN_NUM_FORMS": 0,
        "criteria-MAX_NUM_FORMS": 1000,
        "criteria-0-position": 0,
        "criteria-0-name": "Pain-point fit",
        "criteria-0-description": "Does it relieve an underserved outcome?",
        "questions-TOTAL_FORMS": 1,
        "questions-INITIAL_FORMS": 0,
        "questions-MIN_NUM_FORMS": 0,
        "questions-MAX_NUM_FORMS": 1000,
        "questions-0-label": "Which team would run it?",
        "questions-0-kind": "choice",
        "questions-0-choices": "Stores\nVans",
        "questions-0-required": "on",
        "questions-0-active": "on",
        "questions-0-order": 0,
        "criteria-0-weight": 40,
    }
    response = admin_client.post(reverse("admin:challenges_challenge_add"), data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    challenge = Challenge.objects.get(slug="less-food-waste")
    assert list(challenge.outcomes.all()) == [outcome]
    assert list(challenge.criteria.values_list("name", "weight")) == [("Pain-point fit", 40)]
    question = challenge.questions.get()
    assert (question.label, question.options, question.required) == (
        "Which team would run it?",
        ["Stores", "Vans"],
        True,
    )


@pytest.mark.django_db
def test_user_admin_adds_a_member_with_email_and_display_name(admin_client, django_user_model):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "dana",
            "email": "dana@example.com",
            "display_name": "Dana",
            "usable_password": "true",
            "password1": "a-long-pass-phrase-42",
            "password2": "a-long-pass-phrase-42",
        },
    )
    assert response.status_code == 302
    user = django_user_model.objects.get(username="dana")
    assert (user.email, user.display_name) == ("dana@example.com", "Dana")

    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {"username": "dana2", "email": "DANA@example.com", "usable_password": "false"},
    )
    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
