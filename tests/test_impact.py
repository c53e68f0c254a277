"""Proof of impact: the significance test against textbook values, no claim below the minimum
sample, the invitation of exactly the right respondents, the result computed once (reputation and
notifications once), and the pages that show it."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.funnel import Status
from ideas.models import IdeaFollow
from impact import selectors as impact_selectors
from impact import services
from impact.models import FollowUp, OutcomeResult, Verdict
from notifications.models import Notification
from reputation.models import Kind as ReputationKind
from reputation.models import ReputationEvent
from scoring import formulas
from scoring.models import Rating, Respondent, SurveyWave
from scoring.services.waves import wave_close, wave_current_for_job, wave_open
from scoring.tasks import open_and_close_due_waves
from tests import factories
from tests.notification_kinds import Kind

pytestmark = pytest.mark.django_db


# --- the test itself, against textbook values ---------------------------------------------------


def test_the_two_proportion_z_test_matches_the_textbook():
    # OpenIntro Statistics (4th ed., section 6.2.3): mammograms, 500 deaths of 44,925 against 505 of
    # 44,910 in the control group: pooled p̂ = 0.0112, SE = 0.00070, Z = −0.17, p-value 0.8650.
    z, p = formulas.two_proportion_z_test(505, 44_910, 500, 44_925)
    assert z == pytest.approx(-0.17, abs=0.01)
    assert p == pytest.approx(0.865, abs=0.006)
    # The normal table: |z| = 1.96 is p = 0.05, 2.576 is p = 0.01, 0 is p = 1.
    assert formulas.normal_two_sided_p(1.959964) == pytest.approx(0.05, abs=1e-6)
    assert formulas.normal_two_sided_p(-2.575829) == pytest.approx(0.01, abs=1e-6)
    assert formulas.normal_two_sided_p(0) == 1.0
    # The example: 20 of 64 satisfied (31%) before, 30 of 58 (52%) after → p = 0.02.
    z, p = formulas.two_proportion_z_test(20, 64, 30, 58)
    assert z == pytest.approx(2.296, abs=0.001) and round(p, 2) == 0.02
    # Everyone satisfied in both waves: nothing changed, and no division by zero.
    assert formulas.two_proportion_z_test(10, 10, 12, 12) == (0.0, 1.0)


def test_no_claim_below_the_minimum_sample():
    few = formulas.proportion_change(successes_before=20, n_before=64, successes_after=6, n_after=12, min_sample=30)
    assert (few.before_n, few.after_n, few.z, few.p_value) == (64, 12, None, None)
    assert few.after == 0.5
    enough = formulas.proportion_change(successes_before=20, n_before=64, successes_after=30, n_after=58, min_sample=30)
    assert enough.p_value == pytest.approx(0.0217, abs=1e-4)


# --- a job surveyed once, an implemented idea, members who answered ---------------------------


def answer(wave, outcome, people, satisfied: int):
    """Each respondent rates ``outcome`` in ``wave``: importance 5, the first ``satisfied`` satisfaction 4, others 2."""
    Rating.objects.bulk_create(
        [
            Rating(respondent=person, outcome=outcome, wave=wave, importance=5, satisfaction=4 if n < satisfied else 2)
            for n, person in enumerate(people)
        ]
    )


@pytest.fixture
def world(customer, triage):
    job = factories.JobFactory(name="Get groceries delivered")
    waiting = factories.OutcomeFactory(job=job, code="WAIT", statement="Minimise the time spent waiting at home")
    cost = factories.OutcomeFactory(job=job, code="COST", statement="Minimise the cost of a delivery")
    customers = factories.SegmentFactory(name="Customers")
    others = factories.SegmentFactory(name="Non-customers")
    challenge = factories.ChallengeFactory(outcomes=[waiting, cost])
    idea = factories.IdeaFactory(
        challenge=challenge, author=customer, title="Lockers at stations", status=Status.IMPLEMENTED, outcomes=[waiting]
    )
    baseline = wave_current_for_job(job=job)
    # 64 imported respondents before: 20 satisfied (31%).
    before = Respondent.objects.bulk_create([Respondent(key=f"before-{n}", segment=customers) for n in range(64)])
    answer(baseline, waiting, before, satisfied=20)
    return {
        "job": job,
        "waiting": waiting,
        "cost": cost,
        "customers": customers,
        "others": others,
        "idea": idea,
        "baseline": baseline,
        "triage": triage,
        "author": customer,
    }


def schedule(world, *, delay_days=0, segments=None, min_respondents=30):
    return services.follow_up_schedule(
        idea=world["idea"],
        user=world["triage"],
        outcomes=[world["waiting"]],
        segments=[world["customers"]] if segments is None else segments,
        delay_days=delay_days,
        open_days=21,
        min_respondents=min_respondents,
    )


def member_in(segment, *, wave=None, outcome=None, **user_fields):
    user = factories.UserFactory(**user_fields)
    respondent = Respondent.objects.create(key=f"member-{user.pk}", user=user, segment=segment)
    if wave is not None:
        Rating.objects.create(respondent=respondent, outcome=outcome, wave=wave, importance=4, satisfaction=2)
    return user


def test_the_follow_up_invites_exactly_the_right_respondents(world, django_capture_on_commit_callbacks):
    baseline, waiting, cost = world["baseline"], world["waiting"], world["cost"]
    customers, others = world["customers"], world["others"]
    answered = member_in(customers, wave=baseline, outcome=waiting)  # the earlier wave, this segment
    new_one = member_in(customers)  # this segment, not in the earlier wave
    other_outcome = member_in(customers, wave=baseline, outcome=cost)  # answered, but not this outcome
    member_in(others, wave=baseline, outcome=waiting)  # another segment
    member_in(customers, wave=baseline, outcome=waiting, is_active=False)  # left
    erased = member_in(customers, wave=baseline, outcome=waiting)
    erased.erased_at = timezone.now()
    erased.save(update_fields=["erased_at"])
    factories.UserFactory()  # a member who never took a survey
    # (the 64 imported respondents of the fixture have no account to notify)

    with django_capture_on_commit_callbacks(execute=True):
        follow_up = schedule(world)
    invited = {user.pk: before for user, before in impact_selectors.follow_up_invitees(follow_up)}
    assert invited == {answered.pk: True, new_one.pk: False, other_outcome.pk: False}
    rows = Notification.objects.filter(kind=Kind.FOLLOW_UP_SURVEY)
    assert sorted(rows.values_list("recipient_id", flat=True)) == sorted(invited)
    note = rows.get(recipient=answered)
    assert note.url == reverse("surveys:wave", kwargs={"wave_id": follow_up.wave_id})
    assert "Has “Get groceries delivered” become easier?" in note.title
    assert "you told us how well" in note.body and "you told us" not in rows.get(recipient=new_one).body
    # Opening again (a second worker, beat) invites nobody twice.
    with django_capture_on_commit_callbacks(execute=True):
        assert wave_open(wave_id=follow_up.wave_id) is False
        services.follow_up_invite_unlocked(follow_up.wave)
    assert rows.count() == 3


def test_a_follow_up_without_segments_asks_every_member_who_took_the_survey(world, django_capture_on_commit_callbacks):
    one = member_in(world["customers"], wave=world["baseline"], outcome=world["waiting"])
    two = member_in(world["others"])
    with django_capture_on_commit_callbacks(execute=True):
        follow_up = schedule(world, segments=[])
    assert {user.pk for user, _ in impact_selectors.follow_up_invitees(follow_up)} == {one.pk, two.pk}


def close_with_answers(world, follow_up, *, satisfied: int, respondents: int, django_capture_on_commit_callbacks):
    people = Respondent.objects.bulk_create(
        [Respondent(key=f"after-{n}", segment=world["customers"]) for n in range(respondents)]
    )
    answer(follow_up.wave, world["waiting"], people, satisfied=satisfied)
    # Answers from outside the concerned segment are not compared.
    stranger = Respondent.objects.create(key="stranger", segment=world["others"])
    answer(follow_up.wave, world["waiting"], [stranger], satisfied=0)
    with django_capture_on_commit_callbacks(execute=True):
        assert wave_close(wave_id=follow_up.wave_id)
    follow_up.refresh_from_db()
    return follow_up


def test_an_improvement_is_measured_published_and_rewarded_once(world, django_capture_on_commit_callbacks):
    follower = factories.UserFactory()
    IdeaFollow.objects.create(idea=world["idea"], user=follower)
    with django_capture_on_commit_callbacks(execute=True):
        follow_up = schedule(world)
    follow_up = close_with_answers(
        world,
        follow_up,
        satisfied=30,
        respondents=58,
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
    )
    assert follow_up.verdict == Verdict.IMPROVED and follow_up.result_computed_at is not None
    result = OutcomeResult.objects.get(follow_up=follow_up)
    assert (result.before_respondents, result.before_satisfied, result.after_respondents, result.after_satisfied) == (
        64,
        20,
        58,
        30,
    )
    assert result.p_value == pytest.approx(0.0217, abs=1e-4) and result.verdict == Verdict.IMPROVED
    line = impact_selectors.follow_up_summaries_for([world["idea"].pk])[world["idea"].pk].lines[0]
    assert line.sentence == (
        "“Minimise the time spent waiting at home”: satisfied share from 31% to 52% (n=64 → 58), "
        "p = 0.02 — an improvement."
    )
    assert ReputationEvent.objects.filter(user=world["author"], kind=ReputationKind.IMPROVEMENT_MEASURED).count() == 1
    told = Notification.objects.filter(kind=Kind.FOLLOW_UP_RESULT)
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted([world["author"].pk, follower.pk])
    assert "52%" in told.get(recipient=world["author"]).body

    # Closing again, or the hook run again (a retried task), changes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        assert wave_close(wave_id=follow_up.wave_id) is False
        services.follow_up_result_compute_unlocked(follow_up.wave)
    assert OutcomeResult.objects.count() == 1 and told.count() == 2
    assert ReputationEvent.objects.filter(kind=ReputationKind.IMPROVEMENT_MEASURED).count() == 1


def test_no_change_is_said_as_such_and_earns_nothing(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        follow_up = schedule(world)
    follow_up = close_with_answers(
        world,
        follow_up,
        satisfied=19,
        respondents=58,
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
    )
    assert follow_up.verdict == Verdict.NO_CHANGE
    assert not ReputationEvent.objects.filter(kind=ReputationKind.IMPROVEMENT_MEASURED).exists()
    line = impact_selectors.follow_up_summaries_for([world["idea"].pk])[world["idea"].pk].lines[0]
    assert "— no measurable change." in line.sentence


def test_below_the_minimum_sample_the_result_makes_no_claim(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        follow_up = schedule(world)
    follow_up = close_with_answers(
        world,
        follow_up,
        satisfied=12,
        respondents=12,
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
    )
    # 12 of 12 satisfied would be a huge rise, but 12 answers are below the 30 needed: no claim.
    assert follow_up.verdict == Verdict.TOO_FEW
    result = OutcomeResult.objects.get(follow_up=follow_up)
    assert (result.z, result.p_value, result.verdict) == (None, None, Verdict.TOO_FEW)
    assert not ReputationEvent.objects.filter(kind=ReputationKind.IMPROVEMENT_MEASURED).exists()
    summary = impact_selectors.follow_up_summaries_for([world["idea"].pk])[world["idea"].pk]
    assert summary.verdict_label == "not enough answers"
    assert "no claim is made" in summary.lines[0].sentence and "p =" not in summary.lines[0].sentence


def test_the_follow_up_opens_at_its_date_from_beat(world, django_capture_on_commit_callbacks):
    member_in(world["customers"], wave=world["baseline"], outcome=world["waiting"])
    with django_capture_on_commit_callbacks(execute=True):
        follow_up = schedule(world, delay_days=60)
    assert follow_up.wave.status == SurveyWave.Status.SCHEDULED
    assert open_and_close_due_waves() == 0 and not Notification.objects.exists()
    SurveyWave.objects.filter(pk=follow_up.wave_id).update(opens_at=timezone.now() - datetime.timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert open_and_close_due_waves() == 1
        assert open_and_close_due_waves() == 0
    assert Notification.objects.filter(kind=Kind.FOLLOW_UP_SURVEY).count() == 1


@pytest.mark.parametrize(
    "change, message",
    [
        ({"status": Status.IN_PROGRESS}, "Only an implemented idea"),
        ({"outcomes": "cost"}, "only about outcomes the idea addressed"),
        ({"delay_days": 999}, "The delay is from 0 to"),
        ({"no_baseline": True}, "Nobody has answered the survey"),
    ],
)
def test_a_follow_up_that_cannot_be_is_refused_and_nothing_is_scheduled(world, change, message):
    idea = world["idea"]
    if "status" in change:
        idea.status = change["status"]
        idea.save(update_fields=["status"])
    if change.get("no_baseline"):
        Rating.objects.all().delete()
        from scoring.services.scores import scores_recompute

        scores_recompute()
    else:
        from scoring.services.scores import scores_recompute

        scores_recompute()
    with pytest.raises(services.FollowUpError, match=message):
        services.follow_up_schedule(
            idea=idea,
            user=world["triage"],
            outcomes=[world[change["outcomes"]] if "outcomes" in change else world["waiting"]],
            delay_days=change.get("delay_days", 30),
            open_days=21,
        )
    assert not FollowUp.objects.exists() and not SurveyWave.objects.filter(kind=SurveyWave.Kind.FOLLOW_UP).exists()


def test_one_follow_up_at_a_time_per_idea(world):
    schedule(world, delay_days=30)
    with pytest.raises(services.FollowUpError, match="already has a follow-up under way"):
        schedule(world, delay_days=30)
    assert FollowUp.objects.count() == 1


# --- pages ---------------------------------------------------------------------------------------


def test_staff_schedule_from_the_idea_page_and_customers_only_read_the_panel(world, client_for, customer):
    idea, triage = world["idea"], world["triage"]
    url = reverse("impact:schedule", kwargs={"idea_id": idea.pk})
    assert client_for(customer).get(url).status_code == 404
    assert "Did it make the job easier?" not in client_for(customer).get(idea.get_absolute_url()).content.decode()
    staff = client_for(triage)
    page = staff.get(idea.get_absolute_url()).content.decode()
    assert "Schedule a follow-up survey" in page
    form = staff.get(url).content.decode()
    assert "Minimise the time spent waiting at home" in form
    refused = staff.post(
        url, {"outcomes": [world["waiting"].pk], "delay_days": "-3", "open_days": "21", "min_respondents": "30"}
    )
    assert refused.status_code == 400 and not FollowUp.objects.exists()
    response = staff.post(
        url,
        {
            "outcomes": [world["waiting"].pk],
            "segments": [world["customers"].pk],
            "delay_days": "14",
            "open_days": "21",
            "min_respondents": "30",
        },
    )
    assert response.status_code == 302
    follow_up = FollowUp.objects.get()
    assert follow_up.wave.opens_at.date() == (timezone.now() + datetime.timedelta(days=14)).date()
    assert list(follow_up.wave.segments.all()) == [world["customers"]]
    page = client_for(customer).get(idea.get_absolute_url()).content.decode()
    assert "Measured after implementation" in page and "A follow-up survey opens on" in page
    assert "Schedule a follow-up survey" not in page


def test_staff_close_the_wave_and_the_result_appears_on_both_pages(
    world, client_for, customer, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    with django_capture_on_commit_callbacks(execute=True):
        follow_up = schedule(world)
    people = Respondent.objects.bulk_create([Respondent(key=f"a-{n}", segment=world["customers"]) for n in range(12)])
    answer(follow_up.wave, world["waiting"], people, satisfied=6)
    page = client_for(customer).get(world["idea"].get_absolute_url()).content.decode()
    assert "Not enough answers yet (12 of 30)" in page
    assert client_for(customer).post(reverse("impact:close", kwargs={"follow_up_id": follow_up.pk})).status_code == 404
    staff = client_for(world["triage"])
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(reverse("impact:close", kwargs={"follow_up_id": follow_up.pk}))
    assert response.status_code == 302
    page = client_for(customer).get(world["idea"].get_absolute_url()).content.decode()
    assert "satisfied share from 31% to 50% (n=64 → 12)" in page and "no claim is made" in page
    # The implemented-ideas page: the same panel, in a number of queries that does not grow with the ideas.
    for n in range(3):
        other = factories.IdeaFactory(
            challenge=world["idea"].challenge,
            status=Status.IMPLEMENTED,
            title=f"Other {n}",
            outcomes=[world["waiting"]],
        )
        services.follow_up_schedule(
            idea=other, user=world["triage"], outcomes=[world["waiting"]], delay_days=30, open_days=10
        )
    client = client_for(customer)
    with django_assert_max_num_queries(14):
        listing = client.get(reverse("metrics:implemented")).content.decode()
    assert "satisfied share from 31% to 50%" in listing


def test_program_metrics_count_implemented_ideas_with_measured_improvement(
    world, client_for, django_capture_on_commit_callbacks
):
    from metrics.selectors import metrics_measured_impact

    with django_capture_on_commit_callbacks(execute=True):
        follow_up = schedule(world)
    factories.IdeaFactory(challenge=world["idea"].challenge, status=Status.IMPLEMENTED)  # not measured
    close_with_answers(
        world,
        follow_up,
        satisfied=30,
        respondents=58,
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
    )
    figures = metrics_measured_impact()
    assert (figures.implemented, figures.measured, figures.improved) == (2, 1, 1)
    page = client_for(world["triage"]).get(reverse("metrics:index")).content.decode()
    assert "Implemented ideas with measured improvement" in page
    assert 'data-metric="measured-improvement">1<' in page


def test_staff_read_follow_ups_in_the_admin_and_schedule_rounds_there(world, admin_client):
    follow_up = schedule(world, delay_days=30)
    assert admin_client.get(reverse("admin:impact_followup_changelist")).status_code == 200
    page = admin_client.get(reverse("admin:impact_followup_change", args=[follow_up.pk])).content.decode()
    assert "Lockers at stations" in page and "schedule or close it there" in page
    # The next survey round, through the service: outcomes of another job are refused.
    stranger = factories.OutcomeFactory()
    url = reverse("admin:scoring_surveywave_add")
    form = {
        "job": world["job"].pk,
        "name": "Autumn 2026",
        "opens_at_0": "2026-09-01",
        "opens_at_1": "09:00",
        "closes_at_0": "2026-09-30",
        "closes_at_1": "18:00",
        "min_respondents": "30",
    }
    refused = admin_client.post(url, {**form, "outcomes": [stranger.pk]})
    assert refused.status_code == 200 and "Choose outcomes of the job" in refused.content.decode()
    assert admin_client.post(url, form).status_code == 302
    wave = SurveyWave.objects.get(name="Autumn 2026")
    assert (wave.kind, wave.status, wave.job) == (SurveyWave.Kind.ROUND, SurveyWave.Status.SCHEDULED, world["job"])


def test_an_invitation_to_a_closed_follow_up_says_it_closed(world, client_for, django_capture_on_commit_callbacks):
    """The invitation's link outlives the wave: once closed it says so and leads to the open surveys
    (a link that never was a follow-up stays a 404)."""
    invited = member_in(world["customers"], wave=world["baseline"], outcome=world["waiting"])
    with django_capture_on_commit_callbacks(execute=True):
        follow_up = schedule(world)
    url = reverse("surveys:wave", kwargs={"wave_id": follow_up.wave_id})
    client = client_for(invited)
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert wave_close(wave_id=follow_up.wave_id)
    response = client.get(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("surveys:list")
    assert "has closed: thank you" in response.content.decode()
    assert client.get(reverse("surveys:wave", kwargs={"wave_id": world["baseline"].pk})).status_code == 404
    assert client.get(reverse("surveys:wave", kwargs={"wave_id": 987654})).status_code == 404
