"""Screening scorecards: the weighted arithmetic, refusals that save nothing, who may screen, reason
templates on the status page, and that customers never see scores or notes."""

import pytest
from django.urls import reverse

from challenges.models import Challenge, SelectionCriterion
from ideas.models import Idea, Status, StatusChange
from reviews.models import ReasonTemplate, Screening, ScreeningScore, TriageIdea
from reviews.services import ScreeningError, criteria_ensure_defaults, screening_delete, screening_save
from tests import factories
from tests.decisions import expected_for


@pytest.fixture
def criteria(open_challenge):
    return criteria_ensure_defaults(challenge=open_challenge)


@pytest.fixture
def other_triage(db):
    return factories.TriageFactory(display_name="Sam Screener")


@pytest.fixture
def superuser(db):
    return factories.UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def plain_staff(db):
    return factories.UserFactory(is_staff=True)


def card(criteria, *values, note=""):
    return {c.pk: (v, note) for c, v in zip(criteria, values, strict=True)}


def scorecard_url(idea):
    return reverse("admin:reviews_triageidea_scorecard", args=[idea.pk])


# --- arithmetic --------------------------------------------------------------------------------


def test_defaults_are_created_once_with_their_weights(open_challenge):
    first = criteria_ensure_defaults(challenge=open_challenge)
    again = criteria_ensure_defaults(challenge=open_challenge)
    assert [(c.name, c.weight) for c in first] == [(n, w) for n, _, w in SelectionCriterion.DEFAULTS]
    assert [c.pk for c in again] == [c.pk for c in first]
    assert SelectionCriterion.objects.filter(challenge=open_challenge).count() == 3


def test_screening_score_is_the_mean_of_each_screeners_weighted_mean(idea, criteria, triage, other_triage):
    # Weights 40/30/30. Tess: (40·5 + 30·3 + 30·2) / 100 = 3.5; Sam: (40·4 + 30·4 + 30·1) / 100 = 3.1.
    screening_save(idea=idea, screener=triage, scores=card(criteria, 5, 3, 2), notes="Strong fit")
    idea.refresh_from_db()
    assert idea.screening_score == pytest.approx(3.5)
    assert idea.screenings_count == 1
    screening_save(idea=idea, screener=other_triage, scores=card(criteria, 4, 4, 1), notes="")
    idea.refresh_from_db()
    assert idea.screening_score == pytest.approx(3.3)
    assert idea.screenings_count == 2

    # Sam changes his card (upsert, no second screening): 2, 2, 2 → 2.0; mean (3.5 + 2.0) / 2.
    screening_save(idea=idea, screener=other_triage, scores=card(criteria, 2, 2, 2, note="meh"), notes="Rethought")
    idea.refresh_from_db()
    assert idea.screening_score == pytest.approx(2.75)
    assert Screening.objects.filter(idea=idea).count() == 2
    assert ScreeningScore.objects.filter(screening__idea=idea).count() == 6
    assert set(ScreeningScore.objects.filter(screening__screener=other_triage).values_list("note", flat=True)) == {
        "meh"
    }

    assert screening_delete(idea=idea, screener=triage) is True
    idea.refresh_from_db()
    assert (idea.screening_score, idea.screenings_count) == (pytest.approx(2.0), 1)
    screening_delete(idea=idea, screener=other_triage)
    idea.refresh_from_db()
    assert (idea.screening_score, idea.screenings_count) == (None, 0)


def test_unequal_weights_are_not_a_plain_mean(idea, open_challenge, triage):
    SelectionCriterion.objects.create(challenge=open_challenge, name="Fit", weight=3)
    SelectionCriterion.objects.create(challenge=open_challenge, name="Cost", weight=1)
    criteria = criteria_ensure_defaults(challenge=open_challenge)
    assert len(criteria) == 2  # a challenge with its own criteria gets no defaults
    screening_save(idea=idea, screener=triage, scores=card(criteria, 5, 1))
    idea.refresh_from_db()
    assert idea.screening_score == pytest.approx((3 * 5 + 1 * 1) / 4)


# --- refusals save nothing ---------------------------------------------------------------------


@pytest.mark.parametrize("case", ["zero", "six", "missing", "foreign", "not_a_number"])
def test_bad_scorecards_are_refused_and_nothing_is_saved(idea, criteria, triage, case):
    foreign = criteria_ensure_defaults(challenge=factories.ChallengeFactory())
    scores = card(criteria, 3, 3, 3)
    if case == "zero":
        scores[criteria[0].pk] = (0, "")
    elif case == "six":
        scores[criteria[1].pk] = (6, "")
    elif case == "missing":
        del scores[criteria[2].pk]
    elif case == "foreign":
        scores[foreign[0].pk] = (3, "")
    else:
        scores[criteria[0].pk] = ("lots", "")
    with pytest.raises(ScreeningError):
        screening_save(idea=idea, screener=triage, scores=scores, notes="should not stay")
    assert not Screening.objects.exists()
    assert not ScreeningScore.objects.exists()
    idea.refresh_from_db()
    assert (idea.screening_score, idea.screenings_count) == (None, 0)


def test_a_bad_change_leaves_the_previous_card(idea, criteria, triage):
    screening_save(idea=idea, screener=triage, scores=card(criteria, 4, 4, 4), notes="first")
    with pytest.raises(ScreeningError):
        screening_save(idea=idea, screener=triage, scores=card(criteria, 1, 1, 9), notes="second")
    screening = Screening.objects.get()
    assert screening.notes == "first"
    assert sorted(screening.scores.values_list("score", flat=True)) == [4, 4, 4]


@pytest.mark.parametrize("who", ["customer", "mentor", "plain_staff"])
def test_only_triage_staff_screen(request, idea, criteria, who):
    with pytest.raises(ScreeningError, match="triage staff"):
        screening_save(idea=idea, screener=request.getfixturevalue(who), scores=card(criteria, 3, 3, 3))
    assert not Screening.objects.exists()


@pytest.mark.parametrize("status", [Status.DRAFT, Status.WITHDRAWN])
def test_drafts_and_withdrawn_ideas_are_not_screened(idea, criteria, triage, status):
    Idea.objects.filter(pk=idea.pk).update(status=status)
    with pytest.raises(ScreeningError, match="only submitted ideas"):
        screening_save(idea=idea, screener=triage, scores=card(criteria, 3, 3, 3))
    assert not Screening.objects.exists()


def test_shortlisted_ideas_can_still_be_screened(idea, criteria, triage):
    Idea.objects.filter(pk=idea.pk).update(status=Status.SHORTLISTED)
    screening_save(idea=idea, screener=triage, scores=card(criteria, 3, 3, 3))
    assert Screening.objects.count() == 1


# --- the scorecard page ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (None, 302),
        ("customer", 302),
        ("mentor", 302),
        ("plain_staff", 403),
        ("triage", 200),
        ("superuser", 200),
    ],
)
def test_scorecard_page_per_role(request, client_for, idea, who, expected):
    user = request.getfixturevalue(who) if who else None
    response = client_for(user).get(scorecard_url(idea))
    assert response.status_code == expected
    if expected == 302:
        assert "/admin/login/" in response["Location"]


def test_scorecard_page_creates_defaults_and_saves_the_card(client_for, idea, triage, other_triage, criteria):
    screening_save(
        idea=idea, screener=other_triage, scores=card(criteria, 2, 2, 2, note="Vans cannot reach stations"), notes=""
    )
    client = client_for(triage)
    page = client.get(scorecard_url(idea))
    html = page.content.decode()
    assert "Pain-point fit" in html and "Capability fit" in html and "Profit potential" in html
    assert "Vans cannot reach stations" in html  # the other screener's card
    assert idea.problem in html

    data = {f"score_{c.pk}": str(v) for c, v in zip(criteria, [5, 4, 3], strict=True)}
    data[f"note_{criteria[0].pk}"] = "Hits the missed-delivery pain"
    data["notes"] = "Worth a pilot"
    response = client.post(scorecard_url(idea), data)
    assert response.status_code == 302
    mine = Screening.objects.get(idea=idea, screener=triage)
    assert mine.notes == "Worth a pilot"
    idea.refresh_from_db()
    # Tess (40·5 + 30·4 + 30·3)/100 = 4.1, Sam 2.0 → 3.05
    assert idea.screening_score == pytest.approx(3.05)

    # Removing my card recomputes.
    client.post(scorecard_url(idea), {"delete": "1"})
    idea.refresh_from_db()
    assert idea.screening_score == pytest.approx(2.0)


def test_incomplete_card_on_the_page_saves_nothing(client_for, idea, triage, criteria):
    data = {f"score_{criteria[0].pk}": "5", f"score_{criteria[1].pk}": "9"}
    response = client_for(triage).post(scorecard_url(idea), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Screening.objects.exists()


def test_queue_row_change_url_opens_the_scorecard(client_for, idea, triage):
    response = client_for(triage).get(reverse("admin:reviews_triageidea_change", args=[idea.pk]))
    assert response.status_code == 302
    assert response["Location"] == scorecard_url(idea)


# --- authors and customers never see scores or notes -----------------------------------------


def test_customer_pages_never_show_screening_scores_or_notes(
    client_for, idea, customer, other_customer, triage, criteria, open_challenge
):
    screening_save(
        idea=idea,
        screener=triage,
        scores=card(criteria, 5, 1, 4, note="ZEBRA-CRITERION-NOTE"),
        notes="ZEBRA-OVERALL-NOTE",
    )
    idea.refresh_from_db()
    # (40·5 + 30·1 + 30·4)/100 = 3.5
    assert idea.screening_score == pytest.approx(3.5)
    Challenge.objects.filter(pk=open_challenge.pk).update(phase=Challenge.Phase.CLOSED)
    pages = [
        reverse("ideas:detail", args=[idea.pk]),
        reverse("ideas:list"),
        reverse("ideas:mine"),
        reverse("challenges:detail", args=[open_challenge.slug]),
        reverse("challenges:results", args=[open_challenge.slug]),
        reverse("challenges:list"),
        reverse("home"),
    ]
    seen = 0
    for user in [None, customer, other_customer]:
        client = client_for(user)
        for url in pages:
            response = client.get(url, follow=True)
            html = response.content.decode()
            if response.status_code == 200 and idea.title in html:
                seen += 1
            for secret in ["ZEBRA-CRITERION-NOTE", "ZEBRA-OVERALL-NOTE", "3.50", "3,50", "screening score"]:
                assert secret.lower() not in html.lower(), (user, url, secret)
    assert seen >= 4  # the pages really showed the idea


# --- reason templates on the change-status page ----------------------------------------------


@pytest.fixture
def reason_templates(db):
    ReasonTemplate.objects.update(is_active=False)  # the seeded ones (reviews/0004) stay out of these tests
    return {
        "declined": ReasonTemplate.objects.create(
            to_status=Status.DECLINED, title="Out of scope", text="Thank you — this is outside what we can deliver."
        ),
        "inactive": ReasonTemplate.objects.create(
            to_status=Status.DECLINED, title="Old wording", text="Retired text", is_active=False
        ),
        "implemented": ReasonTemplate.objects.create(
            to_status=Status.IMPLEMENTED, title="Shipped", text="Live in all stores since this week."
        ),
    }


def test_status_page_offers_active_templates_for_the_statuses_on_offer(client_for, idea, triage, reason_templates):
    response = client_for(triage).get(reverse("admin:ideas_idea_change_status", args=[idea.pk]))
    form = response.context["form"]
    offered = {t.title for t in form.reason_templates}
    assert offered == {"Out of scope"}  # a submitted idea cannot become implemented; inactive is hidden
    html = response.content.decode()
    assert "Out of scope" in html and "Retired text" not in html and "Shipped" not in html
    assert 'id="reason-templates"' in html


def test_in_progress_idea_offers_implemented_templates_and_an_implementation_note(
    client_for, idea, triage, reason_templates
):
    Idea.objects.filter(pk=idea.pk).update(status=Status.IN_PROGRESS)
    response = client_for(triage).get(reverse("admin:ideas_idea_change_status", args=[idea.pk]))
    form = response.context["form"]
    assert {t.title for t in form.reason_templates} == {"Shipped"}
    assert form.fields["reason"].label == "Implementation note"
    # Implemented without a note is refused.
    response = client_for(triage).post(
        reverse("admin:ideas_idea_change_status", args=[idea.pk]), {"to_status": "implemented", "reason": ""}
    )
    assert "implementation note" in response.content.decode().lower()
    idea.refresh_from_db()
    assert idea.status == Status.IN_PROGRESS


def test_a_chosen_template_fills_an_empty_reason(client_for, idea, triage, reason_templates):
    url = reverse("admin:ideas_idea_change_status", args=[idea.pk])
    response = client_for(triage).post(
        url,
        {
            "to_status": "declined",
            "reason": "",
            "reason_template": str(reason_templates["declined"].pk),
            "expected_status": expected_for(idea),
        },
    )
    assert response.status_code == 302
    change = StatusChange.objects.get(idea=idea)
    assert change.reason == "Thank you — this is outside what we can deliver."


def test_an_edited_reason_wins_over_the_template(client_for, idea, triage, reason_templates):
    url = reverse("admin:ideas_idea_change_status", args=[idea.pk])
    client_for(triage).post(
        url,
        {
            "to_status": "declined",
            "reason": "Outside what we deliver, but see challenge 4.",
            "reason_template": str(reason_templates["declined"].pk),
            "expected_status": expected_for(idea),
        },
    )
    assert StatusChange.objects.get(idea=idea).reason == "Outside what we deliver, but see challenge 4."


def test_a_template_for_another_status_is_refused(client_for, idea, triage, reason_templates):
    url = reverse("admin:ideas_idea_change_status", args=[idea.pk])
    response = client_for(triage).post(
        url, {"to_status": "shortlisted", "reason": "", "reason_template": str(reason_templates["declined"].pk)}
    )
    assert response.status_code == 200
    assert "reason_template" in response.context["form"].errors
    assert not StatusChange.objects.exists()


def test_reason_template_admin_is_for_triage_staff(client_for, triage, customer, plain_staff, reason_templates):
    url = reverse("admin:reviews_reasontemplate_changelist")
    assert client_for(triage).get(url).status_code == 200
    assert client_for(plain_staff).get(url).status_code == 403
    assert client_for(customer).get(url).status_code == 302
    response = client_for(triage).post(
        reverse("admin:reviews_reasontemplate_add"),
        {
            "to_status": "declined",
            "title": "Too costly",
            "text": "It would cost more than it returns.",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert ReasonTemplate.objects.filter(title="Too costly").exists()


@pytest.mark.parametrize("role", ["anonymous", "customer", "other_customer", "mentor"])
def test_no_customer_page_shows_the_stored_score_in_any_form(as_role, role, idea, open_challenge):
    """The stored score itself, raw or formatted, on every page a customer, the author or a mentor
    opens for the idea: a template that printed ``idea.screening_score`` would show 4.3217… or 4.32."""
    TriageIdea.objects.filter(pk=idea.pk).update(screening_score=4.321789, screenings_count=2)
    pages = [
        reverse("ideas:detail", args=[idea.pk]),
        reverse("ideas:list"),
        reverse("ideas:mine"),
        reverse("challenges:detail", args=[open_challenge.slug]),
        reverse("challenges:list"),
        reverse("home"),
    ]
    client = as_role(role)
    shown = 0
    for url in pages:
        response = client.get(url, follow=True)
        html = response.content.decode()
        shown += response.status_code == 200 and idea.title in html
        for form in ("4.321789", "4.3218", "4.322", "4.32", "4,32", "4.3 /", "screening"):
            assert form not in html.lower(), (role, url, form)
    assert shown >= 3  # the pages really showed the idea
