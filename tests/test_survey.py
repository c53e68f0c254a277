"""The outcome survey: each role against the pages, saving and changing answers, bad input, races."""

import re
import threading
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import close_old_connections, connection
from django.test import Client
from django.urls import reverse

from scoring.models import OutcomeScore, Rating, Respondent
from scoring.services import survey as services
from tests import factories

ROLES = ["anonymous", "customer", "other_customer", "triage", "mentor"]


@pytest.fixture
def segments(db):
    return {
        "customers": factories.SegmentFactory(name="Customers"),
        "non_customers": factories.SegmentFactory(name="Non-customers"),
    }


@pytest.fixture
def job(db):
    job = factories.JobFactory(name="Plan the weekly shop")
    for code, statement in [
        ("PLAN-01", "Minimise the time it takes to write the shopping list"),
        ("PLAN-02", "Minimise the chance of forgetting an item"),
        ("PLAN-03", "Minimise the cost of the weekly shop"),
    ]:
        factories.OutcomeFactory(job=job, code=code, statement=statement)
    return job


@pytest.fixture
def outcomes(job):
    return list(job.outcomes.order_by("code"))


@pytest.fixture
def foreign_outcome(db):
    return factories.OutcomeFactory(job=factories.JobFactory(name="Cook dinner"), statement="Minimise washing up")


def survey_url(job) -> str:
    return reverse("surveys:take", kwargs={"job_id": job.pk})


def answers_post(pairs: dict, *, action: str = "save", segment=None) -> dict:
    """POST data: {outcome: (importance, satisfaction)}; None leaves that question unanswered."""
    data = {"action": action}
    if segment is not None:
        data["segment"] = segment.pk
    for outcome, (importance, satisfaction) in pairs.items():
        if importance is not None:
            data[f"importance_{outcome.pk}"] = importance
        if satisfaction is not None:
            data[f"satisfaction_{outcome.pk}"] = satisfaction
    return data


def member_ratings(user) -> dict[str, tuple[int, int]]:
    return {
        rating.outcome.code: (rating.importance, rating.satisfaction)
        for rating in Rating.objects.filter(respondent__user=user).select_related("outcome")
    }


def checked_values(content: str, name: str) -> list[str]:
    """The values of the checked radios named ``name`` in the page."""
    return [
        match.group(1)
        for match in re.finditer(rf'<input type="radio" name="{name}" value="(\w+)"[^>]*\bchecked\b', content)
    ]


# Each role against each page


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_survey_list_by_role(as_role, role, job, outcomes):
    empty_job = factories.JobFactory(name="A job without outcomes")
    response = as_role(role).get(reverse("surveys:list"))
    if role == "anonymous":
        assert_sent_to_sign_up(response, reverse("surveys:list"))
        return
    assert response.status_code == 200
    content = response.content.decode()
    assert "Plan the weekly shop" in content and survey_url(job) in content
    assert empty_job.name not in content  # no outcomes, no survey
    assert "Not started" in content and "3 outcomes to rate" in content


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_survey_form_by_role(as_role, role, job, outcomes, segments):
    response = as_role(role).get(survey_url(job))
    if role == "anonymous":
        assert_sent_to_sign_up(response, survey_url(job))
        return
    assert response.status_code == 200
    content = response.content.decode()
    for outcome in outcomes:
        assert f"<legend>{outcome.statement}</legend>" in content
    assert "Not at all important" in content and "Extremely satisfied" in content
    assert "Which describes you best?" in content  # nobody's segment is known yet
    assert "score" not in content.lower()  # customers never see scores here
    share_url = f"http://testserver{survey_url(job)}"
    assert (share_url in content) is (role == "triage")
    assert ("Link to share this survey" in content) is (role == "triage")


def assert_sent_to_sign_up(response, next_url: str):
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("account_signup")
    assert parse_qs(location.query)["next"] == [next_url]


@pytest.mark.django_db
def test_the_survey_list_takes_the_same_queries_for_many_jobs(client_for, customer, django_assert_max_num_queries):
    client = client_for(customer)
    segment = factories.SegmentFactory()
    for index in range(12):
        outcome = factories.OutcomeFactory(job=factories.JobFactory(name=f"Job {index:02d}"))
        if index % 2:
            services.survey_answers_save(user=customer, job=outcome.job, answers={outcome.pk: (4, 4)}, segment=segment)
    # session, user, roles, unread notifications, jobs with the member's progress, follow-up waves
    with django_assert_max_num_queries(6):
        content = client.get(reverse("surveys:list")).content.decode()
    assert content.count("Complete") == 6 and content.count("Not started") == 6


@pytest.mark.django_db
def test_the_shared_link_asks_a_visitor_to_sign_up_and_says_why(client, settings, job, outcomes):
    settings.ACCOUNT_EMAIL_VERIFICATION = "optional"  # signed in at once, so the redirect shows at once
    response = client.get(survey_url(job), follow=True)
    assert response.request["PATH_INFO"] == reverse("account_signup")
    content = response.content.decode()
    assert "Please sign up to answer this survey" in content
    # Signing up brings the new member straight back to the survey.
    response = client.post(
        f"{reverse('account_signup')}?next={survey_url(job)}",
        {
            "email": "new.customer@example.com",
            "password1": "a-long-new-password-7",
            "password2": "a-long-new-password-7",
            "next": survey_url(job),
        },
    )
    assert response.status_code == 302 and response["Location"] == survey_url(job)


@pytest.mark.django_db
def test_a_survey_of_an_unknown_job_or_one_without_outcomes_is_not_found(client_for, customer, job):
    client = client_for(customer)
    assert client.get(reverse("surveys:take", kwargs={"job_id": job.pk + 1000})).status_code == 404
    assert client.get(survey_url(factories.JobFactory())).status_code == 404


# Saving, coming back, changing


@pytest.mark.django_db
def test_save_part_then_come_back_prefilled_then_submit(client_for, customer, job, outcomes, segments):
    client = client_for(customer)
    first, second, third = outcomes
    response = client.post(
        survey_url(job),
        answers_post({first: (5, 1), second: (3, 4)}, segment=segments["customers"]),
    )
    assert response.status_code == 302 and response["Location"] == survey_url(job)
    assert member_ratings(customer) == {"PLAN-01": (5, 1), "PLAN-02": (3, 4)}
    assert Respondent.objects.get(user=customer).key == f"member-{customer.pk}"

    response = client.get(survey_url(job))
    content = response.content.decode()
    assert "Your answers are saved: 2 of 3 outcomes answered" in content
    assert "You have answered 2 of 3 outcomes" in content
    assert checked_values(content, f"importance_{first.pk}") == ["5"]
    assert checked_values(content, f"satisfaction_{first.pk}") == ["1"]
    assert checked_values(content, f"importance_{second.pk}") == ["3"]
    assert checked_values(content, f"importance_{third.pk}") == []
    assert "Which describes you best?" not in content  # known now
    assert "2 of 3 outcomes answered" in client.get(reverse("surveys:list")).content.decode()

    response = client.post(
        survey_url(job), answers_post({first: (5, 1), second: (3, 4), third: (4, 2)}, action="submit"), follow=True
    )
    assert response.redirect_chain == [(reverse("surveys:list"), 302)]
    content = response.content.decode()
    assert "Thank you: your answers about “Plan the weekly shop” are in" in content
    assert "Complete" in content and "You answered all 3 outcomes" in content
    assert member_ratings(customer) == {"PLAN-01": (5, 1), "PLAN-02": (3, 4), "PLAN-03": (4, 2)}


@pytest.mark.django_db
def test_changing_answers_later_updates_the_ratings(client_for, customer, job, outcomes, segments):
    client = client_for(customer)
    first, second, third = outcomes
    client.post(
        survey_url(job),
        answers_post({first: (5, 1), second: (3, 4), third: (2, 2)}, action="submit", segment=segments["customers"]),
    )
    before = {rating.outcome_id: rating for rating in Rating.objects.all()}
    response = client.post(
        survey_url(job), answers_post({first: (4, 2), second: (3, 4), third: (2, 2)}, action="submit")
    )
    assert response.status_code == 302
    assert member_ratings(customer) == {"PLAN-01": (4, 2), "PLAN-02": (3, 4), "PLAN-03": (2, 2)}
    assert Rating.objects.count() == 3 and Respondent.objects.count() == 1
    after = {rating.outcome_id: rating for rating in Rating.objects.all()}
    assert {outcome_id: rating.pk for outcome_id, rating in after.items()} == {
        outcome_id: rating.pk for outcome_id, rating in before.items()
    }  # the same rows, updated in place
    assert after[second.pk].updated_at == before[second.pk].updated_at  # unchanged answers are left alone
    assert after[first.pk].updated_at > before[first.pk].updated_at


@pytest.mark.django_db
def test_answers_are_per_member(client_for, customer, other_customer, job, outcomes, segments):
    first, second, third = outcomes
    client_for(customer).post(
        survey_url(job),
        answers_post({first: (5, 1), second: (5, 1), third: (5, 1)}, action="submit", segment=segments["customers"]),
    )
    client = client_for(other_customer)
    content = client.get(survey_url(job)).content.decode()
    assert "You have answered 0 of 3" in content
    assert "Which describes you best?" in content  # the other customer's segment is not known
    for outcome in outcomes:
        assert checked_values(content, f"importance_{outcome.pk}") == []
    assert "Not started" in client.get(reverse("surveys:list")).content.decode()

    # The other customer's answers go to their own respondent; the first customer's stay.
    client.post(survey_url(job), answers_post({first: (1, 5)}, segment=segments["non_customers"]))
    assert member_ratings(customer) == {"PLAN-01": (5, 1), "PLAN-02": (5, 1), "PLAN-03": (5, 1)}
    assert member_ratings(other_customer) == {"PLAN-01": (1, 5)}
    assert Respondent.objects.get(user=customer).segment == segments["customers"]
    assert Respondent.objects.get(user=other_customer).segment == segments["non_customers"]


# Bad input: a clear message, and nothing saved


BAD_INPUTS = {
    "importance 0": ({"first": ("0", "3")}, "Choose one of the five answers, from 1 to 5."),
    "importance 6": ({"first": ("6", "3")}, "Choose one of the five answers, from 1 to 5."),
    "satisfaction x": ({"first": ("4", "x")}, "Choose one of the five answers, from 1 to 5."),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_answers_are_refused_and_nothing_is_saved(client_for, customer, job, outcomes, segments, case):
    client = client_for(customer)
    first, second, _ = outcomes
    client.post(survey_url(job), answers_post({second: (2, 2)}, segment=segments["customers"]))
    pairs, message = BAD_INPUTS[case]
    data = answers_post({first: pairs["first"], second: (5, 5)})  # a good change beside the bad answer
    response = client.post(survey_url(job), data)
    assert response.status_code == 400
    content = response.content.decode()
    assert message in content
    assert "Nothing was saved: please check 1 outcome below." in content
    assert f'href="#outcome-{first.pk}"' in content  # the summary links to the outcome to fix
    assert member_ratings(customer) == {"PLAN-02": (2, 2)}  # the good change was not saved either


@pytest.mark.django_db
def test_an_answer_for_an_outcome_of_another_job_is_refused(client_for, customer, job, outcomes, foreign_outcome):
    client = client_for(customer)
    data = answers_post({outcomes[0]: (4, 4), foreign_outcome: (5, 5)})
    response = client.post(survey_url(job), data)
    assert response.status_code == 400
    assert "Some answers are for outcomes this survey does not ask about" in response.content.decode()
    data["importance_abc"] = "3"
    del data[f"importance_{foreign_outcome.pk}"], data[f"satisfaction_{foreign_outcome.pk}"]
    assert client.post(survey_url(job), data).status_code == 400
    assert not Rating.objects.exists() and not Respondent.objects.exists()


@pytest.mark.django_db
def test_submit_needs_every_outcome_and_saves_nothing_otherwise(client_for, customer, job, outcomes, segments):
    first, second, third = outcomes
    response = client_for(customer).post(
        survey_url(job),
        answers_post({first: (4, 4), second: (3, 3)}, action="submit", segment=segments["customers"]),
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "Rate how important this is to you." in content
    assert "Rate how satisfied you are with today&#x27;s solutions." in content
    assert f'href="#outcome-{third.pk}"' in content and f'href="#outcome-{first.pk}"' not in content
    assert not Rating.objects.exists() and not Respondent.objects.exists()


@pytest.mark.django_db
def test_the_segment_is_needed_with_the_first_answers(client_for, customer, job, outcomes, segments):
    client = client_for(customer)
    response = client.post(survey_url(job), answers_post({outcomes[0]: (4, 4)}))
    assert response.status_code == 400
    assert "Tell us which group describes you best" in response.content.decode()
    response = client.post(survey_url(job), {**answers_post({outcomes[0]: (4, 4)}), "segment": "99999"})
    assert response.status_code == 400
    assert "Choose one of the groups listed." in response.content.decode()
    assert not Rating.objects.exists() and not Respondent.objects.exists()


@pytest.mark.django_db
def test_without_segments_there_is_no_segment_question(client_for, customer, job, outcomes):
    client = client_for(customer)
    assert "Which describes you best?" not in client.get(survey_url(job)).content.decode()
    assert client.post(survey_url(job), answers_post({outcomes[0]: (4, 4)})).status_code == 302
    assert Respondent.objects.get(user=customer).segment is None


@pytest.mark.django_db
def test_saving_nothing_says_so(client_for, customer, job, outcomes, segments):
    response = client_for(customer).post(survey_url(job), {"action": "save"})
    assert response.status_code == 400
    assert "Nothing to save yet" in response.content.decode()
    assert not Respondent.objects.exists()


# The segment on the profile


@pytest.mark.django_db
def test_the_profile_sets_and_changes_the_segment(client_for, customer, job, outcomes, segments):
    client = client_for(customer)
    content = client.get(reverse("profile")).content.decode()
    assert "Which describes you best?" in content and "Non-customers" in content

    response = client.post(reverse("profile"), {"display_name": "Cora", "segment": segments["customers"].pk})
    assert response.status_code == 302
    assert Respondent.objects.get(user=customer).segment == segments["customers"]
    assert "Which describes you best?" not in client.get(survey_url(job)).content.decode()

    client.post(reverse("profile"), {"display_name": "Cora", "segment": segments["non_customers"].pk})
    assert Respondent.objects.get(user=customer).segment == segments["non_customers"]
    content = client.get(reverse("profile")).content.decode()
    assert f'<option value="{segments["non_customers"].pk}" selected>' in content

    # A post without the question (not from the page) keeps the segment; "Not set" clears it.
    client.post(reverse("profile"), {"display_name": "Cora C."})
    assert Respondent.objects.get(user=customer).segment == segments["non_customers"]
    client.post(reverse("profile"), {"display_name": "Cora C.", "segment": ""})
    assert Respondent.objects.get(user=customer).segment is None
    assert "Which describes you best?" in client.get(survey_url(job)).content.decode()

    response = client.post(reverse("profile"), {"display_name": "Cora", "segment": "99999"})
    assert response.status_code == 400 and "Choose one of the groups listed." in response.content.decode()
    customer.refresh_from_db()
    assert customer.display_name == "Cora C."


@pytest.mark.django_db
def test_the_profile_without_segments_has_no_question_and_makes_no_respondent(client_for, customer):
    client = client_for(customer)
    assert "Which describes you best?" not in client.get(reverse("profile")).content.decode()
    assert client.post(reverse("profile"), {"display_name": "Cora", "segment": ""}).status_code == 302
    assert not Respondent.objects.exists()


# The service


@pytest.mark.django_db
def test_service_refuses_bad_answers(customer, job, outcomes, foreign_outcome, segments):
    first = outcomes[0]
    cases = [
        ({foreign_outcome.pk: (3, 3)}, "does not ask about"),
        ({first.pk: (0, 3)}, "from 1 to 5"),
        ({first.pk: (3, 6)}, "from 1 to 5"),
    ]
    for answers, message in cases:
        with pytest.raises(services.SurveyError, match=message):
            services.survey_answers_save(user=customer, job=job, answers=answers, segment=segments["customers"])
    with pytest.raises(services.SurveyError, match="2 outcome"):
        services.survey_answers_save(
            user=customer, job=job, answers={first.pk: (3, 3)}, segment=segments["customers"], complete=True
        )
    with pytest.raises(services.SurveyError, match="describes you best"):
        services.survey_answers_save(user=customer, job=job, answers={first.pk: (3, 3)})
    assert not Rating.objects.exists() and not Respondent.objects.exists()


@pytest.mark.django_db
def test_a_save_queues_one_score_recompute_on_commit(
    customer, job, outcomes, segments, django_capture_on_commit_callbacks
):
    first, second, _ = outcomes
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = services.survey_answers_save(
            user=customer, job=job, answers={first.pk: (5, 1), second.pk: (4, 2)}, segment=segments["customers"]
        )
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    assert len(callbacks) == 1
    # The task ran (inline in tests) and wrote scores, overall and for the segment.
    assert OutcomeScore.objects.filter(outcome=first, segment__isnull=True).get().respondents == 1
    assert OutcomeScore.objects.filter(outcome=first, segment=segments["customers"]).exists()

    with django_capture_on_commit_callbacks() as callbacks:
        result = services.survey_answers_save(user=customer, job=job, answers={first.pk: (5, 1), second.pk: (4, 2)})
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert callbacks == []  # nothing changed, nothing to recompute

    with django_capture_on_commit_callbacks() as callbacks:
        result = services.survey_answers_save(user=customer, job=job, answers={first.pk: (3, 1)})
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    assert len(callbacks) == 1

    with django_capture_on_commit_callbacks() as callbacks:
        assert services.respondent_segment_set(user=customer, segment=segments["non_customers"])
    assert len(callbacks) == 1  # per-segment scores change with the member's segment


@pytest.mark.django_db
def test_an_imported_respondent_with_a_member_key_is_a_clear_error(customer, job, outcomes):
    Respondent.objects.create(key=f"member-{customer.pk}")  # an import that used the members' key space
    with pytest.raises(services.SurveyError, match="clash with an imported survey"):
        services.survey_answers_save(user=customer, job=job, answers={outcomes[0].pk: (3, 3)})
    assert not Rating.objects.exists()


# Races: real threads, each with its own database connection


def run_at_once(count: int, work) -> list[Exception]:
    """Run work(index) in ``count`` threads released together; return the errors they raised."""
    errors = []
    barrier = threading.Barrier(count)

    def run(index):
        try:
            barrier.wait()
            work(index)
        except Exception as error:  # noqa: BLE001 - collected and asserted by the caller
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@pytest.mark.postgresql  # SQLite serialises writers and cannot show a race
@pytest.mark.django_db(transaction=True)
def test_customers_submitting_the_same_survey_at_once_are_all_saved():
    """Customers submit through the page at the same moment, each for the first time (no respondent yet)."""
    job = factories.JobFactory()
    outcomes = factories.OutcomeFactory.create_batch(4, job=job)
    segment = factories.SegmentFactory(name="Customers")
    customers = factories.UserFactory.create_batch(12)
    submitted = {
        customer.pk: {outcome.pk: (1 + (index + n) % 5, 1 + (index * n) % 5) for n, outcome in enumerate(outcomes)}
        for index, customer in enumerate(customers)
    }

    def submit(index):
        customer = customers[index]
        client = Client()
        client.force_login(customer)
        data = {"action": "submit", "segment": segment.pk}
        for outcome_id, (importance, satisfaction) in submitted[customer.pk].items():
            data[f"importance_{outcome_id}"] = importance
            data[f"satisfaction_{outcome_id}"] = satisfaction
        response = client.post(survey_url(job), data)
        assert response.status_code == 302, response.content.decode()[:2000]

    assert run_at_once(len(customers), submit) == []
    assert Respondent.objects.count() == len(customers)
    assert Rating.objects.count() == len(customers) * len(outcomes)
    for customer in customers:
        saved = {
            outcome_id: (importance, satisfaction)
            for outcome_id, importance, satisfaction in Rating.objects.filter(respondent__user=customer).values_list(
                "outcome_id", "importance", "satisfaction"
            )
        }
        assert saved == submitted[customer.pk]
        assert Respondent.objects.get(user=customer).segment == segment


@pytest.mark.postgresql  # SQLite serialises writers and cannot show a race
@pytest.mark.django_db(transaction=True)
def test_one_member_saving_from_many_tabs_at_once_keeps_one_rating_per_outcome():
    """The same member, first save, from eight threads: one respondent, one rating per outcome, one tab's answers."""
    job = factories.JobFactory()
    outcomes = factories.OutcomeFactory.create_batch(3, job=job)
    segment = factories.SegmentFactory(name="Customers")
    member = factories.UserFactory()
    tabs = {index: {outcome.pk: (1 + index % 5, 5 - index % 5) for outcome in outcomes} for index in range(8)}

    def save(index):
        services.survey_answers_save(user=member, job=job, answers=tabs[index], segment=segment)

    assert run_at_once(len(tabs), save) == []
    assert Respondent.objects.filter(user=member).count() == 1
    saved = {
        outcome_id: (importance, satisfaction)
        for outcome_id, importance, satisfaction in Rating.objects.values_list(
            "outcome_id", "importance", "satisfaction"
        )
    }
    assert sorted(saved) == sorted(outcome.pk for outcome in outcomes)  # exactly one rating per outcome
    assert saved in tabs.values()  # the tabs were serialised: the last one's answers, whole


# --- "Save and continue later" with an outcome half answered (issue 17) ---


@pytest.mark.django_db
@pytest.mark.parametrize("half", [("4", None), (None, "2")], ids=["only importance", "only satisfaction"])
def test_saving_with_an_outcome_half_answered_keeps_the_complete_ones_and_the_segment(
    client_for, customer, job, outcomes, segments, half
):
    first, second, third = outcomes
    data = answers_post({first: half, second: (5, 1), third: (3, 3)}, segment=segments["non_customers"])
    response = client_for(customer).post(survey_url(job), data)
    assert response.status_code == 200
    content = response.content.decode()
    assert member_ratings(customer) == {"PLAN-02": (5, 1), "PLAN-03": (3, 3)}
    assert Respondent.objects.get(user=customer).segment == segments["non_customers"]
    assert "Your answers are saved: 2 of 3 outcomes answered, and the group that describes you best" in content
    assert f"only one of their two questions is answered: “{first.statement}”" in content
    assert f'data-testid="incomplete-{first.pk}"' in content
    assert "You have answered 2 of 3 outcomes." in content
    # The half answer is still on the page, to finish.
    name = "importance" if half[0] else "satisfaction"
    assert checked_values(content, f"{name}_{first.pk}") == [half[0] or half[1]]


@pytest.mark.django_db
def test_saving_only_half_answers_saves_nothing_and_says_so(client_for, customer, job, outcomes, segments):
    first, second, _ = outcomes
    response = client_for(customer).post(survey_url(job), answers_post({first: (4, None), second: (None, 1)}))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Your answers are saved" not in content
    assert f"“{first.statement}”; “{second.statement}”" in content
    assert not Rating.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("half", [("4", None), (None, "2")], ids=["only importance", "only satisfaction"])
def test_submitting_with_an_outcome_half_answered_is_refused_and_saves_nothing(
    client_for, customer, job, outcomes, segments, half
):
    first, second, third = outcomes
    data = answers_post({first: half, second: (5, 1), third: (3, 3)}, segment=segments["customers"], action="submit")
    response = client_for(customer).post(survey_url(job), data)
    assert response.status_code == 400
    assert "Nothing was saved: please check 1 outcome below." in response.content.decode()
    assert member_ratings(customer) == {}
    assert not Respondent.objects.filter(user=customer).exists()


@pytest.mark.django_db
def test_a_bad_answer_beside_a_half_answer_saves_nothing(client_for, customer, job, outcomes, segments):
    first, second, third = outcomes
    data = answers_post({first: (4, None), second: ("9", 1), third: (3, 3)}, segment=segments["customers"])
    response = client_for(customer).post(survey_url(job), data)
    assert response.status_code == 400
    assert "Choose one of the five answers, from 1 to 5." in response.content.decode()
    assert member_ratings(customer) == {}
