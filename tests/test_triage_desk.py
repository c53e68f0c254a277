"""The triage desk of issue 16: a queue that fits (search with every filter and order on SQLite and
PostgreSQL, a mentor column, the top bar's link), the funnel board and its moves (templated reason,
refusals that keep the typed text, the expected-status race), the screening flow (labelled scales,
"4.0 of 5", save and next through the filtered queue, "under review" as the first answer), the
winner offered only in the final phase, and bulk status forms offering only statuses that apply."""

import datetime
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from challenges.models import Challenge
from ideas.models import Idea, Status, StatusChange
from ideas.services import idea_status_change
from metrics.selectors import metrics_summary
from reviews.models import MentorAssignment, ReasonTemplate, Screening
from reviews.services import criteria_ensure_defaults, screening_save
from tests import factories
from tests.decisions import expected_for

QUEUE_URL = reverse("admin:reviews_triageidea_changelist")


def days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


def scorecard_url(idea, queue_query=""):
    url = reverse("admin:reviews_triageidea_scorecard", args=[idea.pk])
    return url + ("?" + urlencode({"_changelist_filters": queue_query}) if queue_query else "")


def board_url(challenge):
    return reverse("admin:reviews_board", args=[challenge.pk])


def status_url(idea):
    return reverse("admin:ideas_idea_change_status", args=[idea.pk])


def card(criteria, score):
    return {f"score_{c.pk}": str(score) for c in criteria}


# --- the queue ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_search_works_with_every_filter_and_order(client_for, triage, open_challenge):
    """The demo's 500 on SQLite came from an ORDER BY inside the search's UNION: every combination of
    search, filter, order and page answers 200 with the right rows, on SQLite and PostgreSQL."""
    lockers = factories.IdeaFactory(challenge=open_challenge, title="Parcel lockers at stations")
    factories.IdeaFactory(challenge=open_challenge, title="Recipe cards")
    outcome = lockers.outcomes.get()
    client = client_for(triage)
    for extra in [
        {},
        {"o": "1"},
        {"o": "-4.2"},
        {"o": "6"},
        {"challenge__id__exact": open_challenge.pk},
        {"outcomes__id__exact": outcome.pk},
        {"screened": "no"},
        {"overdue": "no"},
        {"status__exact": "submitted"},
        {"p": "1"},
    ]:
        response = client.get(QUEUE_URL, {"q": "parcel stations", **extra})
        assert response.status_code == 200, extra
        assert [idea.pk for idea in response.context["cl"].result_list] == [lockers.pk], extra


@pytest.mark.django_db
def test_queue_has_a_legend_a_mentor_column_short_titles_and_25_rows(client_for, triage, open_challenge, mentor):
    long_title = "Lockers " + "with a very long explanation of where they go " * 2
    mentored = factories.IdeaFactory(challenge=open_challenge, title=long_title[:120], status=Status.SHORTLISTED)
    MentorAssignment.objects.create(idea=mentored, mentor=mentor, assigned_by=triage)
    factories.IdeaFactory.create_batch(30, challenge=open_challenge)
    response = client_for(triage).get(QUEUE_URL)
    html = response.content.decode()
    assert len(response.context["cl"].result_list) == 25
    assert response.context["cl"].list_per_page == 25
    assert 'data-testid="queue-legend"' in html and "lower bound of its Wilson interval" in html
    response = client_for(triage).get(QUEUE_URL, {"status__exact": "shortlisted"})
    html = response.content.decode()
    assert "Mo Mentor" in html
    # Shortened in the cell, whole in its title attribute.
    assert f'title="{long_title[:120]}"' in html
    assert "…" in html


@pytest.mark.django_db
def test_the_top_bars_triage_link_opens_the_queue(client_for, triage, customer):
    html = client_for(triage).get("/").content.decode()
    assert f'href="{QUEUE_URL}">Triage</a>' in html
    assert QUEUE_URL not in client_for(customer).get("/").content.decode()


# --- the screening flow ------------------------------------------------------------------------


@pytest.mark.django_db
def test_scorecard_labels_the_scale_and_shows_the_score_of_5(client_for, triage, open_challenge):
    idea = factories.IdeaFactory(challenge=open_challenge)
    criteria = criteria_ensure_defaults(challenge=open_challenge)
    screening_save(idea=idea, screener=factories.TriageFactory(), scores={c.pk: (4, "") for c in criteria})
    html = client_for(triage).get(scorecard_url(idea)).content.decode()
    assert "1 = A minor or well-served outcome" in html
    assert "5 = We can deliver it with what we have" in html
    assert "<strong>4.0 of 5</strong>" in html
    assert "4.0 of 5" in client_for(triage).get(QUEUE_URL).content.decode()


@pytest.fixture
def three(open_challenge):
    """Three submitted ideas of one challenge, oldest first, and one of another challenge."""
    ideas = [
        factories.IdeaFactory(challenge=open_challenge, title=f"Idea {n}", submitted_at=days_ago(10 - n))
        for n in range(3)
    ]
    factories.IdeaFactory(title="Elsewhere", submitted_at=days_ago(20))
    return ideas


def save_and_next(client, idea, criteria, queue_query, **extra):
    page = client.get(scorecard_url(idea, queue_query))
    data = {**card(criteria, 3), "save_next": "Save and next", **extra}
    position = page.context["queue_position"]
    if position is not None:
        data["queue_position"] = str(position)
    return client.post(scorecard_url(idea, queue_query), data)


@pytest.mark.django_db
def test_save_and_next_follows_the_filtered_queue_in_its_order(client_for, triage, open_challenge, three):
    criteria = criteria_ensure_defaults(challenge=open_challenge)
    client = client_for(triage)
    # The queue's row links carry its filters to the scorecard.
    query = f"challenge__id__exact={open_challenge.pk}&screened=no"
    html = client.get(QUEUE_URL + "?" + query).content.decode()
    assert scorecard_url(three[0], query).replace("&", "&amp;") in html
    # Each saved idea leaves the "not screened" filter; the next is the one that followed it.
    response = save_and_next(client, three[0], criteria, query)
    assert response["Location"] == scorecard_url(three[1], query)
    response = save_and_next(client, three[1], criteria, query)
    assert response["Location"] == scorecard_url(three[2], query)
    response = save_and_next(client, three[2], criteria, query)
    assert response["Location"] == QUEUE_URL + "?" + query  # the last one: back to the queue
    assert Screening.objects.filter(screener=triage).count() == 3
    # In another order (newest first, by the "idea" column's sort): the other way round.
    query = f"challenge__id__exact={open_challenge.pk}&o=-1"
    assert save_and_next(client, three[2], criteria, query)["Location"] == scorecard_url(three[1], query)


@pytest.mark.django_db
def test_acknowledging_is_the_first_answer_and_clears_overdue(client_for, triage, open_challenge, customer):
    late = factories.IdeaFactory(challenge=open_challenge, author=customer, submitted_at=days_ago(20))
    criteria = criteria_ensure_defaults(challenge=open_challenge)
    client = client_for(triage)
    assert [i.pk for i in client.get(QUEUE_URL, {"overdue": "yes"}).context["cl"].result_list] == [late.pk]
    page = client.get(scorecard_url(late)).content.decode()
    assert "Tell the author it is under review" in page
    response = client.post(scorecard_url(late), {**card(criteria, 4), "acknowledge": "on", "save": "Save"})
    assert response.status_code == 302
    late.refresh_from_db()
    assert late.status == Status.UNDER_REVIEW
    change = StatusChange.objects.get(idea=late)
    assert (change.from_status, change.to_status, change.changed_by) == ("submitted", "under_review", triage)
    assert list(client.get(QUEUE_URL, {"overdue": "yes"}).context["cl"].result_list) == []
    # The metrics count it as the first answer (late: 20 days on a 10-day promise).
    summary = metrics_summary(challenge=open_challenge, now=timezone.now())
    assert summary.late == 1 and summary.in_time == 0
    # Saving again leaves the status alone (it is no longer "submitted"), and the form no longer asks.
    assert "Tell the author" not in client.get(scorecard_url(late)).content.decode()
    client.post(scorecard_url(late), {**card(criteria, 5), "save": "Save"})
    assert StatusChange.objects.filter(idea=late).count() == 1


@pytest.mark.django_db
def test_a_status_change_from_the_scorecard_comes_back_to_it(client_for, triage, open_challenge, three):
    client = client_for(triage)
    query = f"challenge__id__exact={open_challenge.pk}"
    page = client.get(scorecard_url(three[0], query))
    link = page.context["status_url"]
    assert link.startswith(status_url(three[0]) + "?next=")
    response = client.post(
        link, {"to_status": "shortlisted", "reason": "", "expected_status": expected_for(three[0]), "apply": "1"}
    )
    assert response["Location"] == scorecard_url(three[0], query)
    # A next= elsewhere is ignored: back to the idea's page.
    response = client.post(
        status_url(three[1]) + "?next=https://evil.example/",
        {"to_status": "shortlisted", "reason": "", "expected_status": expected_for(three[1]), "apply": "1"},
    )
    assert response["Location"] == reverse("admin:ideas_idea_change", args=[three[1].pk])


# --- the board ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_board_has_a_column_per_status_with_cards_and_their_moves(client_for, triage, open_challenge, three):
    shortlisted = factories.IdeaFactory(challenge=open_challenge, title="On the shortlist", status="shortlisted")
    response = client_for(triage).get(board_url(open_challenge))
    assert response.status_code == 200
    columns = {column["status"]: column for column in response.context["columns"]}
    assert list(columns)[:3] == ["submitted", "under_review", "shortlisted"]
    assert [idea.pk for idea in columns["submitted"]["ideas"]] == [idea.pk for idea in three]
    assert columns["shortlisted"]["count"] == 1
    html = response.content.decode()
    assert f'data-testid="card-{shortlisted.pk}"' in html
    assert 'value="in_mentoring">In mentoring' in html and "Move to…" in html
    assert "Elsewhere" not in html  # another challenge's idea


@pytest.mark.django_db
def test_board_queries_are_constant_in_the_number_of_cards(client_for, triage, open_challenge):
    client = client_for(triage)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(board_url(open_challenge)).status_code == 200
        return len(captured)

    factories.IdeaFactory(challenge=open_challenge)
    one = queries()
    for status in ["submitted", "under_review", "shortlisted", "declined"]:
        factories.IdeaFactory.create_batch(8, challenge=open_challenge, status=status)
    assert queries() == one


@pytest.mark.django_db
def test_board_only_for_triage_staff(client_for, customer, mentor, open_challenge):
    assert client_for(customer).get(board_url(open_challenge)).status_code == 302
    staff = factories.UserFactory(is_staff=True)
    assert client_for(staff).get(board_url(open_challenge)).status_code == 403


@pytest.fixture
def templates(db):
    return {
        "declined": ReasonTemplate.objects.create(
            to_status="declined", title="Out of scope", text="It is outside what this challenge asks for."
        ),
        "shortlisted": ReasonTemplate.objects.create(
            to_status="shortlisted", title="Promising", text="It answers a poorly served outcome."
        ),
    }


@pytest.mark.django_db
def test_a_move_from_the_board_uses_the_templates_for_that_status(client_for, triage, open_challenge, three, templates):
    client = client_for(triage)
    idea = three[0]
    back = board_url(open_challenge)
    page = client.get(status_url(idea), {"to": "declined", "shown": "submitted", "next": back})
    form = page.context["form"]
    assert form["to_status"].value() == "declined"
    assert {"Out of scope", "Promising"} <= {t.title for t in form.reason_templates}
    response = client.post(
        status_url(idea) + "?" + urlencode({"next": back}),
        {
            "to_status": "declined",
            "reason_template": str(templates["declined"].pk),
            "reason": "",
            "expected_status": expected_for(idea),
            "apply": "Change status",
        },
    )
    assert response["Location"] == back
    change = StatusChange.objects.get(idea=idea)
    assert (change.to_status, change.reason) == ("declined", "It is outside what this challenge asks for.")


@pytest.mark.django_db
def test_a_refused_move_keeps_the_typed_reason_and_says_why(client_for, triage, open_challenge, three, templates):
    client = client_for(triage)
    idea = three[0]
    typed = "We read it twice; it needs a partner we do not have."
    # A template written for another status: refused, the typed reason kept.
    response = client.post(
        status_url(idea) + "?next=" + board_url(open_challenge),
        {
            "to_status": "declined",
            "reason_template": str(templates["shortlisted"].pk),
            "reason": typed,
            "expected_status": expected_for(idea),
            "apply": "1",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert typed in html and "explains “shortlisted”, not “declined”" in html
    assert not StatusChange.objects.exists()


@pytest.mark.django_db
def test_a_move_from_a_stale_board_is_refused_and_keeps_the_text(client_for, triage, open_challenge, three):
    """The board showed the idea submitted; another screener shortlisted it before this move was sent."""
    client = client_for(triage)
    idea = three[0]
    other = factories.TriageFactory()
    idea_status_change(idea=idea, to_status="shortlisted", changed_by=other, expected_status="submitted")
    # Opened from the board's card (shown=submitted): the page carries the status the board showed.
    page = client.get(status_url(idea), {"to": "declined", "shown": "submitted"})
    expected = page.context["form"]["expected_status"].value()
    assert expected == f"{idea.pk}:submitted"
    typed = "Too close to what we already run."
    response = client.post(
        status_url(idea),
        {"to_status": "declined", "reason": typed, "expected_status": expected, "apply": "1"},
    )
    html = response.content.decode()
    assert typed in html and "it is now shortlisted" in html
    idea.refresh_from_db()
    assert idea.status == Status.SHORTLISTED
    assert StatusChange.objects.filter(idea=idea).count() == 1


# --- bulk forms and the winner -----------------------------------------------------------------


@pytest.mark.django_db
def test_bulk_status_form_offers_only_statuses_that_can_apply(client_for, triage, open_challenge):
    submitted = factories.IdeaFactory(challenge=open_challenge)
    finalist = factories.IdeaFactory(challenge=open_challenge, status="finalist")
    declined = factories.IdeaFactory(challenge=open_challenge, status="declined")
    client = client_for(triage)

    def offered(*ideas):
        response = client.post(QUEUE_URL, {"action": "change_status", "_selected_action": [i.pk for i in ideas]})
        if response.status_code == 302:
            return None
        return {value for value, _ in response.context["form"].fields["to_status"].choices}

    assert offered(submitted) == {"under_review", "shortlisted", "declined", "duplicate"}
    assert offered(submitted, finalist) == {"under_review", "shortlisted", "declined", "duplicate", "winner"} | {
        "not_selected"
    }
    assert offered(declined) is None  # nothing can apply: back to the queue with a message


@pytest.fixture
def finalist_in(db):
    def make(phase):
        challenge = factories.ChallengeFactory(phase=phase)
        return factories.IdeaFactory(challenge=challenge, status=Status.FINALIST, title="Best lockers")

    return make


@pytest.mark.django_db
@pytest.mark.parametrize("phase", ["open", "review", "mentoring"])
def test_the_winner_is_offered_only_in_the_final_phase(client_for, triage, finalist_in, phase):
    idea = finalist_in(phase)
    html = client_for(triage).get(reverse("reviews:finalists", args=[idea.challenge.slug])).content.decode()
    assert "Choose as winner" not in html
    assert 'data-testid="winner-needs-final"' in html
    assert reverse("admin:challenges_challenge_phase", args=[idea.challenge.pk]) in html


@pytest.mark.django_db
def test_a_refused_winner_keeps_both_typed_reasons(client_for, triage, finalist_in):
    idea = finalist_in("final")
    other = factories.IdeaFactory(challenge=idea.challenge, status=Status.SUBMITTED, title="Still open")
    client = client_for(triage)
    assert "Choose as winner" in client.get(reverse("reviews:finalists", args=[idea.challenge.slug])).text
    why, others = "It serves the most poorly served outcome.", "Thank you; not this time."
    # The box unticked while another idea is open: refused, both reasons back in the form.
    response = client.post(
        reverse("reviews:finalists_choose_winner", args=[idea.challenge.slug]),
        {"idea": idea.pk, "reason": why, "others_reason": others, "expected_status": expected_for(idea, other)},
    )
    assert response.status_code == 409
    assert "Nothing was changed" in response.text and "without an ending" in response.text
    assert why in response.text and others in response.text
    idea.refresh_from_db()
    assert idea.status == Status.FINALIST
    # The challenge left its final phase meanwhile: refused by the service, the text kept too.
    Challenge.objects.filter(pk=idea.challenge_id).update(phase="mentoring")
    response = client.post(
        reverse("reviews:finalists_choose_winner", args=[idea.challenge.slug]),
        {
            "idea": idea.pk,
            "reason": why,
            "others_not_selected": "on",
            "others_reason": others,
            "expected_status": expected_for(idea, other),
        },
    )
    assert response.status_code == 409 and "final phase" in response.text and why in response.text
    assert Idea.objects.get(pk=other.pk).status == Status.SUBMITTED
