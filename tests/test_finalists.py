"""Comparing finalists and choosing the winner: who sees the page, what it shows (and what customer
pages never show), the winner choice all or nothing, and a query count that does not grow."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from challenges.models import Challenge, SelectionCriterion
from ideas import services as idea_services
from ideas.models import IdeaVersion, Status, StatusChange
from reviews import services
from reviews.models import Review, Screening, ScreeningScore
from scoring.models import OutcomeScore
from tests import factories
from tests.decisions import expected_for

# Words that only a screener or a mentor wrote: they must show on the compare page and nowhere a
# customer looks.
SECRET_REVIEW = "Mentor-only: the unit economics wobble at scale"
SECRET_SCREENING = "Screener-only: legal flagged the locker leases"
SCREENING_SCORE = 4.37


def make_finalist(challenge, *, title, mentors=(), screeners=(), criteria=(), versions=2, votes=(7, 2), author=None):
    """A finalist with everything the compare page shows, written straight to the tables."""
    idea = factories.IdeaFactory(
        challenge=challenge,
        title=title,
        status=Status.FINALIST,
        author=author or factories.UserFactory(),
        votes_up=votes[0],
        votes_down=votes[1],
        rank_top=0.4321,
        screening_score=SCREENING_SCORE if screeners else None,
        screenings_count=len(screeners),
    )
    # The way it got here, so the results page knows it reached the final.
    StatusChange.objects.create(idea=idea, from_status=Status.IN_MENTORING, to_status=Status.FINALIST, reason="")
    for number in range(1, versions + 1):
        IdeaVersion.objects.create(
            idea=idea, number=number, title=idea.title, problem=idea.problem, solution=idea.solution
        )
    for index, screener in enumerate(screeners):
        screening = Screening.objects.create(idea=idea, screener=screener, notes=f"{SECRET_SCREENING} ({title})")
        for criterion in criteria:
            ScreeningScore.objects.create(screening=screening, criterion=criterion, score=3 + index % 3)
    for mentor in mentors:
        Review.objects.create(
            idea=idea,
            mentor=mentor,
            desirability=5,
            feasibility=4,
            viability=3,
            clarity=4,
            comments=f"{SECRET_REVIEW} ({title})",
            recommendation=Review.Recommendation.FINALIST,
        )
    return idea


@pytest.fixture
def final_challenge(db):
    challenge = factories.ChallengeFactory(title="Fresher groceries", slug="fresher-groceries", phase="final")
    for position, (name, _description, weight) in enumerate(SelectionCriterion.DEFAULTS):
        SelectionCriterion.objects.create(challenge=challenge, name=name, weight=weight, position=position)
    outcome = challenge.outcomes.order_by("code").first()
    OutcomeScore.objects.create(
        wave=factories.round_of(outcome),
        current=True,
        outcome=outcome,
        segment=None,
        respondents=40,
        important_count=30,
        satisfied_count=8,
        importance=7.5,
        satisfaction=2.0,
        opportunity=13.0,
        importance_low=6.0,
        importance_high=8.5,
        satisfaction_low=1.0,
        satisfaction_high=3.5,
        classification=OutcomeScore.Classification.UNDERSERVED,
        computed_at=timezone.now(),
    )
    return challenge


@pytest.fixture
def finalists(final_challenge, customer, mentor, triage):
    """Three finalists: the customer's own, screened by two and reviewed by one mentor, and two others."""
    criteria = list(final_challenge.criteria.all())
    screeners = [triage, factories.TriageFactory()]
    return [
        make_finalist(
            final_challenge,
            title=title,
            author=customer if index == 0 else None,
            mentors=[mentor],
            screeners=screeners,
            criteria=criteria,
        )
        for index, title in enumerate(["Lockers at stations", "Evening slots", "Drone drops"])
    ]


def compare_url(challenge):
    return reverse("reviews:finalists", kwargs={"slug": challenge.slug})


def choose_url(challenge):
    return reverse("reviews:finalists_choose_winner", kwargs={"slug": challenge.slug})


# --- Who sees the page -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role,status",
    [
        ("anonymous", 404),
        ("author", 404),
        ("other_customer", 404),
        ("mentor", 404),
        ("plain_staff", 404),
        ("triage", 200),
        ("superuser", 200),
    ],
)
def test_only_triage_staff_open_the_compare_page(
    client_for, finalists, final_challenge, customer, other_customer, mentor, triage, role, status
):
    users = {
        "anonymous": None,
        "author": customer,
        "other_customer": other_customer,
        "mentor": mentor,
        "plain_staff": factories.UserFactory(is_staff=True),
        "triage": triage,
        "superuser": factories.UserFactory(is_staff=True, is_superuser=True),
    }
    client = client_for(users[role])
    response = client.get(compare_url(final_challenge))
    assert response.status_code == status
    if status == 404:
        assert SECRET_REVIEW not in response.text
    # Choosing the winner is refused the same way, and changes nothing.
    response = client.post(
        choose_url(final_challenge),
        {
            "idea": finalists[0].pk,
            "reason": "Best",
            "others_not_selected": "on",
            "others_reason": "Close",
            "expected_status": expected_for(finalists),
        },
    )
    if status == 404:
        assert response.status_code == 404
        assert not StatusChange.objects.filter(to_status__in=[Status.WINNER, Status.NOT_SELECTED]).exists()
    else:
        assert response.status_code == 302


@pytest.mark.django_db
def test_unknown_challenge_is_404_for_staff(client_for, triage):
    assert client_for(triage).get(reverse("reviews:finalists", kwargs={"slug": "nope"})).status_code == 404


# --- What the page shows -----------------------------------------------------------------------


@pytest.mark.django_db
def test_compare_page_shows_each_finalist_side_by_side(client_for, triage, finalists, final_challenge):
    # An idea that is not a finalist stays off the page.
    factories.IdeaFactory(challenge=final_challenge, title="Still in mentoring", status=Status.IN_MENTORING)
    response = client_for(triage).get(compare_url(final_challenge))
    html = response.text
    assert html.count('data-testid="finalist-column"') == 3
    assert "Still in mentoring" not in html
    for idea in finalists:
        assert idea.title in html
        assert idea.author.public_name in html
        assert f"{SECRET_REVIEW} ({idea.title})" in html
        assert reverse("ideas:versions", args=[idea.pk]) in html
    assert "▲ 7 · ▼ 2" in html and "support <strong>5</strong>" in html
    assert "<strong>43%</strong>" in html  # rank_top as a percentage
    assert "4.37" in html and "2 screeners" in html
    assert "Pain-point fit" in html
    assert "Recommend as finalist" in html
    assert ">4.00<" in html  # the rubric mean (5 + 4 + 3 + 4) / 4
    assert "2 versions" in html
    assert "Opportunity <strong>13.0</strong> of 20" in html
    assert html.count('data-testid="choose-winner"') == 3
    assert reverse("challenges:results", args=[final_challenge.slug]) in html


@pytest.mark.django_db
def test_compare_page_without_finalists(client_for, triage, final_challenge):
    response = client_for(triage).get(compare_url(final_challenge))
    assert response.status_code == 200
    assert 'data-testid="no-finalists"' in response.text


@pytest.mark.django_db
def test_query_count_does_not_grow_with_the_finalists(client_for, triage, final_challenge, django_user_model):
    criteria = list(final_challenge.criteria.all())
    mentors = factories.MentorFactory.create_batch(2)
    screeners = factories.TriageFactory.create_batch(2)
    client = client_for(triage)

    def queries_for_page():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(compare_url(final_challenge))
        assert response.status_code == 200
        return len(captured), response.text.count('data-testid="review"')

    for index in range(2):
        make_finalist(final_challenge, title=f"Idea {index}", mentors=mentors, screeners=screeners, criteria=criteria)
    with_two, reviews_two = queries_for_page()
    for index in range(2, 6):
        make_finalist(final_challenge, title=f"Idea {index}", mentors=mentors, screeners=screeners, criteria=criteria)
    with_six, reviews_six = queries_for_page()
    assert (reviews_two, reviews_six) == (4, 12)
    assert with_six == with_two
    assert with_two <= 12


# --- Screening and reviews stay off every customer page ------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "author", "other_customer"])
def test_customer_pages_never_show_screening_or_reviews(
    client_for, finalists, final_challenge, customer, other_customer, triage, role
):
    # With a winner chosen in the final, the results are out for everyone.
    services.winner_choose(idea=finalists[0], chosen_by=triage, reason="Cheapest to pilot.", others_reason="Close.")
    client = client_for({"anonymous": None, "author": customer, "other_customer": other_customer}[role])
    pages = [
        reverse("challenges:detail", args=[final_challenge.slug]),
        reverse("challenges:results", args=[final_challenge.slug]),
        reverse("challenges:list"),
        reverse("ideas:list"),
        reverse("ideas:list") + f"?challenge={final_challenge.slug}",
        *[reverse("ideas:detail", args=[idea.pk]) for idea in finalists],
    ]
    if role == "author":
        pages.append(reverse("ideas:mine"))
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.text
        assert SECRET_REVIEW not in html, url
        assert SECRET_SCREENING not in html, url
        assert "4.37" not in html, url
        assert 'data-testid="screening"' not in html, url
        assert compare_url(final_challenge) not in html, url
    # The results page does show where each ended and the public reasons.
    results = client.get(reverse("challenges:results", args=[final_challenge.slug])).text
    assert "Cheapest to pilot." in results and "Close." in results


# --- Choosing the winner -----------------------------------------------------------------------


@pytest.mark.django_db
def test_choosing_the_winner_moves_the_others_to_not_selected(
    client_for, triage, finalists, final_challenge, django_capture_on_commit_callbacks
):
    winner, *others = finalists
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(triage).post(
            choose_url(final_challenge),
            {
                "idea": winner.pk,
                "reason": "Cheapest to pilot in our three cities.",
                "others_not_selected": "on",
                "others_reason": "Strong, but costlier to run.",
                "expected_status": expected_for(finalists),
            },
            follow=True,
        )
    assert response.redirect_chain[-1][0] == compare_url(final_challenge)
    winner.refresh_from_db()
    assert winner.status == Status.WINNER
    change = winner.status_changes.first()
    assert (change.from_status, change.to_status, change.reason, change.changed_by) == (
        Status.FINALIST,
        Status.WINNER,
        "Cheapest to pilot in our three cities.",
        triage,
    )
    for other in others:
        other.refresh_from_db()
        assert other.status == Status.NOT_SELECTED
        assert other.status_changes.first().reason == "Strong, but costlier to run."
    assert len(mail.outbox) == 3  # each author is told
    html = response.text
    assert "is now the winner" in html and "2 other finalists are now not selected" in html
    assert 'data-testid="winner-chosen"' in html
    assert reverse("challenges:results", args=[final_challenge.slug]) in html
    assert 'data-testid="choose-winner"' not in html  # no finalist is left to choose

    # The results page, for everyone: the winner with its reason, the others with theirs.
    results = client_for(None).get(reverse("challenges:results", args=[final_challenge.slug]))
    assert results.text.count('data-testid="winner"') == 1
    assert results.text.count('data-testid="finalist"') == 2
    assert "Cheapest to pilot in our three cities." in results.text
    assert "Strong, but costlier to run." in results.text


@pytest.mark.django_db
def test_the_others_may_not_stay_open(triage, finalists, mailoutbox):
    """Issue 15: choosing the winner needs an ending for every other idea still open (was: they stayed finalists)."""
    with pytest.raises(idea_services.TransitionNotAllowed, match="2 other ideas of this challenge would be left"):
        services.winner_choose(idea=finalists[1], chosen_by=triage, reason="Best fit.", others_reason=None)
    assert_nothing_changed(finalists)
    assert mailoutbox == []


@pytest.mark.django_db
def test_unticked_box_is_refused_while_others_are_open(client_for, triage, finalists, final_challenge):
    response = client_for(triage).post(
        choose_url(final_challenge),
        {"idea": finalists[2].pk, "reason": "Best fit.", "expected_status": expected_for(finalists)},
        follow=True,
    )
    assert "Nothing was changed" in response.text and "without an ending" in response.text
    assert_nothing_changed(finalists)


def assert_nothing_changed(finalists):
    for idea in finalists:
        idea.refresh_from_db()
        assert idea.status == Status.FINALIST
    assert not StatusChange.objects.filter(to_status__in=[Status.WINNER, Status.NOT_SELECTED]).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [
        {"reason": "  "},  # no reason for the winner
        {"others_reason": "   "},  # the others need one
        {"chosen_by": "customer"},  # not triage staff
        {"idea": "in_mentoring"},  # not a finalist
    ],
)
def test_winner_choice_is_all_or_nothing(triage, customer, finalists, final_challenge, change, mailoutbox):
    kwargs = {"idea": finalists[0], "chosen_by": triage, "reason": "Best.", "others_reason": "Close."}
    kwargs.update(change)
    if kwargs["chosen_by"] == "customer":
        kwargs["chosen_by"] = customer
    if kwargs["idea"] == "in_mentoring":
        kwargs["idea"] = factories.IdeaFactory(challenge=final_challenge, status=Status.IN_MENTORING)
    with pytest.raises(idea_services.TransitionNotAllowed):
        services.winner_choose(**kwargs)
    assert_nothing_changed(finalists)
    assert mailoutbox == []


@pytest.mark.django_db
def test_a_refusal_late_in_the_batch_undoes_the_earlier_steps(triage, finalists, monkeypatch, mailoutbox):
    """The winner and the first other are already changed when the last other is refused: all roll back."""
    real_change = services.finalists.idea_status_change

    def refuse_the_last(*, idea, **kwargs):
        if idea.pk == finalists[2].pk:
            raise idea_services.TransitionNotAllowed("Refused for the test.")
        return real_change(idea=idea, **kwargs)

    monkeypatch.setattr(services.finalists, "idea_status_change", refuse_the_last)
    with pytest.raises(idea_services.TransitionNotAllowed, match="Refused for the test"):
        services.winner_choose(idea=finalists[0], chosen_by=triage, reason="Best.", others_reason="Close.")
    assert_nothing_changed(finalists)
    assert mailoutbox == []


@pytest.mark.django_db
def test_refusal_from_the_page_is_a_message_and_changes_nothing(client_for, triage, finalists, final_challenge):
    client = client_for(triage)
    # The form's own check: ticked box without a reason for the others.
    response = client.post(
        choose_url(final_challenge), {"idea": finalists[0].pk, "reason": "Best.", "others_not_selected": "on"}
    )
    assert response.status_code == 400
    assert "Give the other finalists" in response.text
    assert_nothing_changed(finalists)
    # The service's check: an idea that is no longer a finalist (someone else just chose it).
    finalists[1].status = Status.NOT_SELECTED
    finalists[1].save(update_fields=["status"])
    response = client.post(
        choose_url(final_challenge),
        {"idea": finalists[1].pk, "reason": "Best.", "expected_status": expected_for(finalists)},
        follow=True,
    )
    assert "Nothing was changed" in response.text and "cannot become winner" in response.text
    # The same, from a page opened before the change: refused as stale, with what it is now.
    response = client.post(
        choose_url(final_challenge),
        {
            "idea": finalists[1].pk,
            "reason": "Best.",
            "expected_status": f"{finalists[1].pk}:finalist,{finalists[0].pk}:finalist,{finalists[2].pk}:finalist",
        },
        follow=True,
    )
    assert "This idea changed since you opened it: it is now not selected." in response.text
    # An idea of another challenge.
    stranger = make_finalist(factories.ChallengeFactory(phase=Challenge.Phase.FINAL), title="Elsewhere")
    response = client.post(
        choose_url(final_challenge),
        {"idea": stranger.pk, "reason": "Best.", "expected_status": expected_for(stranger)},
        follow=True,
    )
    assert "not in this challenge" in response.text
    stranger.refresh_from_db()
    assert stranger.status == Status.FINALIST
    assert client.get(choose_url(final_challenge)).status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize("phase", ["open", "review", "mentoring"])
def test_the_winner_is_chosen_only_in_the_final_phase(triage, phase):
    finalist = make_finalist(factories.ChallengeFactory(phase=phase), title="Too early")
    with pytest.raises(idea_services.TransitionNotAllowed, match="final phase"):
        services.winner_choose(idea=finalist, chosen_by=triage, reason="Great", others_reason="Thanks")
    finalist.refresh_from_db()
    assert finalist.status == Status.FINALIST
