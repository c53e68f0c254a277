"""The emergent-customer questionnaire: scores, answered once (even at once), bad input saves nothing,
items lock with the first response, and the page for each role."""

import re
import threading
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection
from django.template.loader import render_to_string
from django.urls import reverse

from innovators import services
from innovators.models import Questionnaire, QuestionnaireAnswer, QuestionnaireItem, QuestionnaireResponse
from tests import factories

URL = reverse("innovators:questionnaire")


def make_questionnaire(weights=(1, 1, 1), *, is_open=True, title="How you come up with ideas"):
    questionnaire = Questionnaire.objects.create(title=title, is_open=is_open)
    for position, weight in enumerate(weights, start=1):
        QuestionnaireItem.objects.create(
            questionnaire=questionnaire,
            position=position,
            text=f"Statement {position}",
            weight=Decimal(str(weight)),
        )
    return questionnaire


def items_of(questionnaire):
    return list(questionnaire.items.order_by("position"))


def answer(user, questionnaire, values):
    items = items_of(questionnaire)
    return services.questionnaire_answer(
        user=user,
        questionnaire=questionnaire,
        values={item.pk: value for item, value in zip(items, values, strict=True)},
    )


def post_data(questionnaire, values):
    data = {"questionnaire": str(questionnaire.pk)}
    for item, value in zip(items_of(questionnaire), values, strict=True):
        if value is not None:
            data[f"item_{item.pk}"] = str(value)
    return data


def checked_inputs(html: str) -> set[tuple[str, str]]:
    """(name, value) of every checked input in the page."""
    checked = set()
    for tag in re.findall(r"<input\b[^>]*>", html):
        if re.search(r"\schecked\b", tag):
            name, value = re.search(r'name="([^"]*)"', tag), re.search(r'value="([^"]*)"', tag)
            checked.add((name.group(1), value.group(1)))
    return checked


# --- Scores ------------------------------------------------------------------------------------


def test_score_all_ones_is_0_and_all_sevens_is_100():
    assert services.questionnaire_score([(1, 1), (2, 1), (Decimal("0.5"), 1)]) == 0
    assert services.questionnaire_score([(1, 7), (2, 7), (Decimal("0.5"), 7)]) == 100


def test_score_is_the_weighted_mean_mapped_to_0_100():
    # Σ w(v−1) = 1·6 + 2·0 + 3·3 = 15; 6·Σw = 36; 15/36·100
    assert services.questionnaire_score([(1, 7), (2, 1), (3, 4)]) == pytest.approx(1500 / 36, abs=1e-9)
    # A plain mean would be 50: the weight moves it.
    assert services.questionnaire_score([(Decimal("0.25"), 7), (Decimal("0.75"), 1)]) == pytest.approx(25)


@pytest.mark.django_db
def test_answering_saves_the_response_its_answers_and_the_exact_score(customer):
    questionnaire = make_questionnaire(weights=(1, 2, 3))
    response = answer(customer, questionnaire, [7, 1, 4])
    response.refresh_from_db()
    assert response.score == pytest.approx(1500 / 36)
    assert sorted(QuestionnaireAnswer.objects.filter(response=response).values_list("value", flat=True)) == [1, 4, 7]


@pytest.mark.django_db
@pytest.mark.parametrize(("values", "expected"), [([1, 1, 1], 0), ([7, 7, 7], 100)])
def test_stored_score_of_the_ends_of_the_scale(customer, values, expected):
    questionnaire = make_questionnaire(weights=(1, 5, Decimal("0.5")))
    assert answer(customer, questionnaire, values).score == expected


# --- Answered once ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_answering_twice_is_refused_with_the_date(customer):
    questionnaire = make_questionnaire()
    answer(customer, questionnaire, [4, 4, 4])
    with pytest.raises(services.QuestionnaireAlreadyAnswered, match="already answered this questionnaire on"):
        answer(customer, questionnaire, [7, 7, 7])
    assert QuestionnaireResponse.objects.get().score == 50
    assert QuestionnaireAnswer.objects.count() == 3


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_double_submit_at_the_same_moment_makes_one_response():
    """Real threads, each with its own connection, submitting the same member's answers at once."""
    customer = factories.UserFactory()
    questionnaire = make_questionnaire()
    values = {item.pk: 5 for item in items_of(questionnaire)}
    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def submit():
        try:
            barrier.wait()
            outcomes.append(services.questionnaire_answer(user=customer, questionnaire=questionnaire, values=values))
        except services.QuestionnaireAlreadyAnswered as error:
            outcomes.append(error)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(type(outcome).__name__ for outcome in outcomes) == [
        "QuestionnaireAlreadyAnswered",
        "QuestionnaireResponse",
    ]
    assert QuestionnaireResponse.objects.filter(user=customer).count() == 1
    assert QuestionnaireAnswer.objects.count() == 3


# --- Bad input changes nothing ---------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (None, "Statement 2”: choose an answer from 1 to 7"),
        (0, "Statement 2”: the answer must be a whole number from 1 to 7"),
        (8, "Statement 2”: the answer must be a whole number from 1 to 7"),
        ("5", "Statement 2”: the answer must be a whole number from 1 to 7"),
        (4.5, "Statement 2”: the answer must be a whole number from 1 to 7"),
        (True, "Statement 2”: the answer must be a whole number from 1 to 7"),
    ],
)
def test_a_bad_answer_is_named_and_nothing_is_saved(customer, bad, message):
    questionnaire = make_questionnaire()
    first, second, third = items_of(questionnaire)
    values = {first.pk: 3, third.pk: 3}
    if bad is not None:
        values[second.pk] = bad
    with pytest.raises(services.QuestionnaireAnswersInvalid, match=message):
        services.questionnaire_answer(user=customer, questionnaire=questionnaire, values=values)
    assert not QuestionnaireResponse.objects.exists()
    assert not QuestionnaireAnswer.objects.exists()


@pytest.mark.django_db
def test_an_answer_to_a_statement_of_another_questionnaire_is_refused(customer):
    questionnaire = make_questionnaire()
    other = make_questionnaire(is_open=False, title="Old")
    values = {item.pk: 3 for item in items_of(questionnaire)} | {items_of(other)[0].pk: 3}
    with pytest.raises(services.QuestionnaireAnswersInvalid, match="not in this questionnaire"):
        services.questionnaire_answer(user=customer, questionnaire=questionnaire, values=values)
    assert not QuestionnaireResponse.objects.exists()


@pytest.mark.django_db
def test_a_closed_questionnaire_is_refused(customer):
    questionnaire = make_questionnaire(is_open=False)
    with pytest.raises(services.QuestionnaireClosed, match="closed"):
        answer(customer, questionnaire, [4, 4, 4])
    assert not QuestionnaireResponse.objects.exists()


@pytest.mark.django_db
def test_staff_do_not_answer(triage):
    questionnaire = make_questionnaire()
    with pytest.raises(services.QuestionnaireError, match="staff"):
        answer(triage, questionnaire, [4, 4, 4])
    assert not QuestionnaireResponse.objects.exists()


# --- Items lock with the first response ------------------------------------------------------


@pytest.mark.django_db
def test_items_change_until_the_first_response_then_are_refused(customer, triage):
    questionnaire = make_questionnaire()
    first = items_of(questionnaire)[0]
    first.text = "Reworded before anyone answered"
    services.questionnaire_items_save(questionnaire=questionnaire, staff=triage, saved=[first])
    answer(customer, questionnaire, [2, 2, 2])

    first.weight = Decimal("9")
    new = QuestionnaireItem(text="Added later", position=9, weight=1)
    with pytest.raises(services.QuestionnaireItemsLocked, match="cannot change"):
        services.questionnaire_items_save(questionnaire=questionnaire, staff=triage, saved=[first, new])
    with pytest.raises(services.QuestionnaireItemsLocked):
        services.questionnaire_items_save(
            questionnaire=questionnaire, staff=triage, deleted=[items_of(questionnaire)[1]]
        )
    assert [(i.text, i.weight) for i in items_of(questionnaire)] == [
        ("Reworded before anyone answered", 1),
        ("Statement 2", 1),
        ("Statement 3", 1),
    ]


@pytest.mark.django_db
def test_admin_shows_items_read_only_once_answered_and_refuses_a_stale_edit(client_for, customer, triage):
    questionnaire = make_questionnaire()
    change_url = reverse("admin:innovators_questionnaire_change", args=[questionnaire.pk])
    client = client_for(triage)
    page = client.get(change_url)
    assert page.status_code == 200
    management = page.context["inline_admin_formsets"][0].formset.management_form
    items = items_of(questionnaire)
    data = {
        "title": questionnaire.title,
        "introduction": "",
        "is_open": "on",
        "items-TOTAL_FORMS": str(len(items)),
        "items-INITIAL_FORMS": str(len(items)),
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    assert management.prefix == "items"
    for index, item in enumerate(items):
        data |= {
            f"items-{index}-id": str(item.pk),
            f"items-{index}-questionnaire": str(questionnaire.pk),
            f"items-{index}-position": str(item.position),
            f"items-{index}-text": item.text,
            f"items-{index}-weight": "5" if index == 0 else str(item.weight),
        }
    answer(customer, questionnaire, [3, 3, 3])  # a member answers while staff edit the weights

    response = client.post(change_url, data, follow=True)
    assert items_of(questionnaire)[0].weight == 1  # the edit did not go through, and staff are told
    assert any("The statements were not changed" in str(m) for m in response.context["messages"])
    page = client.get(change_url)
    assert page.context["inline_admin_formsets"][0].has_change_permission is False
    assert 'name="items-0-weight"' not in page.content.decode()


@pytest.mark.django_db
def test_only_one_questionnaire_is_open_at_a_time(client_for, triage):
    make_questionnaire(title="First")
    response = client_for(triage).post(
        reverse("admin:innovators_questionnaire_add"),
        {
            "title": "Second",
            "introduction": "",
            "is_open": "on",
            "items-TOTAL_FORMS": "0",
            "items-INITIAL_FORMS": "0",
            "items-MIN_NUM_FORMS": "0",
            "items-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 200
    assert "Another questionnaire is open: close it first." in response.content.decode()
    assert Questionnaire.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "status"), [("customer", 302), ("mentor", 302), ("triage", 200)])
def test_questionnaire_admin_is_for_triage_staff(client_for, customer, mentor, triage, role, status):
    make_questionnaire()
    user = {"customer": customer, "mentor": mentor, "triage": triage}[role]
    assert client_for(user).get(reverse("admin:innovators_questionnaire_changelist")).status_code == status
    assert client_for(user).get(reverse("admin:innovators_questionnaireresponse_changelist")).status_code == status


@pytest.mark.django_db
def test_responses_are_read_only_in_the_admin(client_for, customer, triage):
    questionnaire = make_questionnaire()
    response = answer(customer, questionnaire, [7, 1, 4])
    page = client_for(triage).get(reverse("admin:innovators_questionnaireresponse_change", args=[response.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Statement 1" in body and 'name="_save"' not in body
    assert client_for(triage).get(reverse("admin:innovators_questionnaireresponse_add")).status_code == 403


# --- The page, per role ---------------------------------------------------------------------


@pytest.mark.django_db
def test_visitors_are_sent_to_sign_in(client_for):
    make_questionnaire()
    response = client_for(None).get(URL)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    response = client_for(None).post(URL, {})
    assert response.status_code == 302
    assert not QuestionnaireResponse.objects.exists()


@pytest.mark.django_db
def test_a_member_sees_the_form_with_labelled_ends_of_the_scale(client_for, customer):
    questionnaire = make_questionnaire()
    page = client_for(customer).get(URL)
    assert page.status_code == 200
    body = page.content.decode()
    for item in items_of(questionnaire):
        assert f"<legend>{item.text}</legend>" in body
        assert f'name="item_{item.pk}" value="7"' in body
    assert '1</span><span class="scale-end"> — not at all like me' in body
    assert '7</span><span class="scale-end"> — very much like me' in body
    assert 'type="submit"' in body


@pytest.mark.django_db
def test_a_member_answers_then_is_thanked_with_the_date_and_no_one_elses_data(client_for, customer, other_customer):
    questionnaire = make_questionnaire(weights=(1, 2, 3))
    answer(other_customer, questionnaire, [1, 1, 1])
    client = client_for(customer)
    response = client.post(URL, post_data(questionnaire, [7, 1, 4]), follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Thank you: your answers are in." in body
    assert "you answered this questionnaire on" in body
    assert other_customer.public_name not in body and other_customer.email not in body
    assert QuestionnaireResponse.objects.get(user=customer).score == pytest.approx(1500 / 36)
    # Posting again (a second tab) is refused and changes nothing.
    again = client.post(URL, post_data(questionnaire, [7, 7, 7]), follow=True)
    assert "You already answered this questionnaire on" in again.content.decode()
    assert QuestionnaireResponse.objects.filter(user=customer).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([5, None, 5], "Choose an answer from 1 to 7."),
        ([5, 9, 5], "Choose one of the answers from 1 to 7."),
        ([5, "x", 5], "Choose one of the answers from 1 to 7."),
        ([5, 0, 5], "Choose one of the answers from 1 to 7."),
    ],
)
def test_bad_input_on_the_page_is_a_400_naming_the_statement_and_saves_nothing(client_for, customer, values, message):
    questionnaire = make_questionnaire()
    response = client_for(customer).post(URL, post_data(questionnaire, values))
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert "Statement 2</a>" in body  # the summary links to the statement to fix
    # The other answers are kept: statements 1 and 3 stay checked at 5, and nothing else is checked.
    first, _, third = items_of(questionnaire)
    assert checked_inputs(body) == {(f"item_{first.pk}", "5"), (f"item_{third.pk}", "5")}
    assert not QuestionnaireResponse.objects.exists()


@pytest.mark.django_db
def test_answering_a_questionnaire_closed_meanwhile_is_a_400(client_for, customer):
    questionnaire = make_questionnaire()
    data = post_data(questionnaire, [4, 4, 4])
    Questionnaire.objects.filter(pk=questionnaire.pk).update(is_open=False)
    response = client_for(customer).post(URL, data)
    assert response.status_code == 400
    assert "This questionnaire is closed" in response.content.decode()
    assert not QuestionnaireResponse.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("values", [[4, 4, 4], [None, None, None], [9, 4, 4]])
def test_posting_a_closed_questionnaires_id_shows_none_of_its_statements(client_for, customer, values):
    """Whatever is posted with it, a closed questionnaire's title and statements stay hidden."""
    make_questionnaire(title="The open one")
    Questionnaire.objects.update(is_open=False)
    closed = make_questionnaire(weights=(1, 1, 1), is_open=False, title="Secret ranking of lead users")
    QuestionnaireItem.objects.filter(questionnaire=closed).update(text="Private statement")
    response = client_for(customer).post(URL, post_data(closed, values))
    assert response.status_code == 400
    text = response.content.decode()
    assert "Private statement" not in text and "Secret ranking of lead users" not in text
    assert "closed or no longer exists" in text
    assert not QuestionnaireResponse.objects.exists()


@pytest.mark.django_db
def test_no_questionnaire_open(client_for, customer):
    make_questionnaire(is_open=False)
    Questionnaire.objects.create(title="Opened while still empty", is_open=True)
    page = client_for(customer).get(URL)
    assert page.status_code == 200
    assert "There is no questionnaire open just now" in page.content.decode()


@pytest.mark.django_db
def test_staff_see_a_preview_without_a_submit_button(client_for, triage):
    make_questionnaire()
    page = client_for(triage).get(URL)
    assert page.status_code == 200
    body = page.content.decode()
    assert "This is a preview of what members see" in body
    # The questionnaire has no submit button (the footer's language switcher has its own form).
    assert 'type="submit"' not in body.split('class="survey questionnaire"', 1)[1].split("</main>", 1)[0]


# --- The prompt the profile page includes ---------------------------------------------------------


@pytest.mark.django_db
def test_the_prompt_shows_only_while_open_and_unanswered(customer, triage, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    def prompt(user):
        return "questionnaire-prompt" in render_to_string("innovators/_questionnaire_prompt.html", {"user": user})

    assert not prompt(customer)  # nothing open
    questionnaire = make_questionnaire()
    with django_assert_num_queries(1):
        assert prompt(customer)
    assert not prompt(triage)
    assert not prompt(AnonymousUser())
    answer(customer, questionnaire, [4, 4, 4])
    assert not prompt(customer)


@pytest.mark.django_db
def test_triage_staff_write_a_questionnaire_with_its_statements_in_the_admin(client_for, triage):
    response = client_for(triage).post(
        reverse("admin:innovators_questionnaire_add"),
        {
            "title": "How you come up with ideas",
            "introduction": "Optional, one minute.",
            "is_open": "on",
            "items-TOTAL_FORMS": "2",
            "items-INITIAL_FORMS": "0",
            "items-MIN_NUM_FORMS": "0",
            "items-MAX_NUM_FORMS": "1000",
            "items-0-position": "2",
            "items-0-text": "I find workarounds when products fall short.",
            "items-0-weight": "2",
            "items-1-position": "1",
            "items-1-text": "Friends ask me about new products.",
            "items-1-weight": "1",
        },
    )
    assert response.status_code == 302
    questionnaire = Questionnaire.objects.get()
    assert [(i.text, i.weight) for i in items_of(questionnaire)] == [
        ("Friends ask me about new products.", 1),
        ("I find workarounds when products fall short.", 2),
    ]


@pytest.mark.django_db
def test_a_weight_out_of_range_is_refused_in_the_admin(client_for, triage):
    response = client_for(triage).post(
        reverse("admin:innovators_questionnaire_add"),
        {
            "title": "Q",
            "introduction": "",
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "0",
            "items-MIN_NUM_FORMS": "0",
            "items-MAX_NUM_FORMS": "1000",
            "items-0-position": "1",
            "items-0-text": "A statement",
            "items-0-weight": "0",
        },
    )
    assert response.status_code == 200
    assert not Questionnaire.objects.exists()
