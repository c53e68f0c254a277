"""The challenge's own questions (issue 22, part B): asked on the idea form, required at submission
only, kept through question edits and removal, in the versions and their diff, on the idea page, in
the triage queue's filters and in the exports."""

import csv
import io

import pytest
from django.urls import reverse

from challenges.models import ChallengeQuestion
from ideas import services
from ideas.models import IdeaAnswer, IdeaVersion, Status
from tests.factories import PASSWORD, ChallengeFactory, IdeaFactory, TriageFactory, UserFactory

pytestmark = pytest.mark.django_db

Kind = ChallengeQuestion.Kind


@pytest.fixture
def challenge():
    return ChallengeFactory()


@pytest.fixture
def questions(challenge):
    return {
        "team": ChallengeQuestion.objects.create(
            challenge=challenge,
            label="Which team would run it?",
            kind=Kind.CHOICE,
            choices="Stores\nVans\nApp",
            required=True,
            order=1,
        ),
        "cost": ChallengeQuestion.objects.create(
            challenge=challenge, label="What would it cost per month?", kind=Kind.NUMBER, order=2
        ),
        "tried": ChallengeQuestion.objects.create(
            challenge=challenge, label="Have you tried it?", kind=Kind.YES_NO, order=3
        ),
        "how": ChallengeQuestion.objects.create(
            challenge=challenge, label="How would customers hear of it?", kind=Kind.LONG_TEXT, order=4
        ),
    }


def _create(challenge, author, *, submit, answers):
    return services.idea_create(
        author=author,
        challenge=challenge,
        title="Lockers at stations",
        problem="Nobody is home when the van comes, so groceries go back.",
        solution="Temperature-controlled lockers at the train stations on the way home.",
        outcomes=list(challenge.outcomes.all()[:1]),
        submit=submit,
        answers=answers,
    )


def _update(idea, user, *, answers, title=None):
    return services.idea_update(
        idea=idea,
        user=user,
        title=title or idea.title,
        problem=idea.problem,
        solution=idea.solution,
        outcomes=list(idea.outcomes.all()),
        answers=answers,
    )


def test_a_required_question_is_enforced_on_submission_but_not_on_a_draft(challenge, questions):
    author = UserFactory()
    with pytest.raises(services.AnswersMissing) as refused:
        _create(challenge, author, submit=True, answers={questions["cost"].pk: "120"})
    assert "Which team would run it?" in str(refused.value)
    assert refused.value.question_ids == [questions["team"].pk]
    assert not IdeaAnswer.objects.exists()  # the refused submission saved nothing

    draft = _create(challenge, author, submit=False, answers={questions["cost"].pk: "120"})
    assert draft.status == Status.DRAFT
    with pytest.raises(services.AnswersMissing):
        services.idea_submit(idea=draft, user=author)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT

    _update(draft, author, answers={questions["team"].pk: "Vans"})
    services.idea_submit(idea=draft, user=author)
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    assert dict(draft.answers.values_list("label", "value")) == {
        "Which team would run it?": "Vans",
        "What would it cost per month?": "120",
    }


def test_a_turned_off_required_question_no_longer_blocks_submission(challenge, questions):
    questions["team"].active = False
    questions["team"].save()
    idea = _create(challenge, UserFactory(), submit=True, answers={})
    assert idea.status == Status.SUBMITTED


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("team", "Drones", "choose one of the options"),
        ("cost", "a lot", "write a number"),
        ("tried", "maybe", "answer yes or no"),
        ("how", "x" * 5001, "at most 5,000 characters"),
    ],
)
def test_bad_answers_are_refused_and_change_nothing(challenge, questions, key, value, message):
    answers = {questions["team"].pk: "Vans", questions[key].pk: value} if key != "team" else {questions[key].pk: value}
    with pytest.raises(services.SubmissionNotAllowed, match=message):
        _create(challenge, UserFactory(), submit=False, answers=answers)
    assert not IdeaAnswer.objects.exists()


def test_a_question_of_another_challenge_is_refused(challenge, questions):
    other = ChallengeQuestion.objects.create(challenge=ChallengeFactory(), label="Elsewhere?", kind=Kind.SHORT_TEXT)
    with pytest.raises(services.SubmissionNotAllowed, match="its own challenge"):
        _create(challenge, UserFactory(), submit=False, answers={other.pk: "yes"})


def test_answers_survive_a_questions_edit_and_removal(challenge, questions):
    author = UserFactory()
    idea = _create(
        challenge,
        author,
        submit=True,
        answers={questions["team"].pk: "Stores", questions["cost"].pk: "1,200.50", questions["tried"].pk: "yes"},
    )
    # Staff reword the question, drop the chosen option, and delete another question.
    team = questions["team"]
    team.label = "Which of our teams would run it?"
    team.choices = "Vans\nApp"
    team.save()
    questions["tried"].delete()

    answers = {a.label: a for a in IdeaAnswer.objects.filter(idea=idea)}
    assert answers["Which team would run it?"].value == "Stores"  # the label it was answered under
    assert answers["What would it cost per month?"].value == "1200.50"
    assert answers["Have you tried it?"].question is None
    assert answers["Have you tried it?"].shown_value == "Yes"

    # The author edits the idea: the removed option stays chosen, the answer takes the new label.
    _update(idea, author, answers={team.pk: "Stores", questions["cost"].pk: "1200.50"}, title=idea.title + " and shops")
    answers = {a.label: a.value for a in IdeaAnswer.objects.filter(idea=idea)}
    assert answers == {
        "Which of our teams would run it?": "Stores",
        "What would it cost per month?": "1200.50",
        "Have you tried it?": "yes",
    }
    # A new choice of a removed option is refused.
    with pytest.raises(services.SubmissionNotAllowed):
        _create(challenge, UserFactory(), submit=False, answers={team.pk: "Stores"})


def test_versions_keep_the_answers_and_the_diff_shows_them(client, challenge, questions):
    author = UserFactory()
    idea = _create(challenge, author, submit=True, answers={questions["team"].pk: "Stores"})
    _update(idea, author, answers={questions["team"].pk: "Vans", questions["how"].pk: "Posters at stations"})
    versions = list(IdeaVersion.objects.filter(idea=idea).order_by("number"))
    assert [v.number for v in versions] == [1, 2]  # an answer alone makes a version
    assert [(a["label"], a["value"]) for a in versions[0].answers] == [("Which team would run it?", "Stores")]
    assert [(a["label"], a["value"]) for a in versions[1].answers] == [
        ("Which team would run it?", "Vans"),
        ("How would customers hear of it?", "Posters at stations"),
    ]
    client.login(username=author.username, password=PASSWORD)
    html = client.get(reverse("ideas:versions", args=[idea.pk])).content.decode()
    assert "Answers to the challenge" in html
    assert "<del>Stores</del>" in html and "<ins>Vans</ins>" in html
    assert "<ins>Posters at stations</ins>" in html


def test_the_form_asks_the_questions_and_shows_the_missing_one(client, challenge, questions):
    author = UserFactory()
    client.login(username=author.username, password=PASSWORD)
    url = reverse("challenges:submit", args=[challenge.slug])
    page = client.get(url).content.decode()
    assert "Which team would run it?" in page and "(optional)" in page
    outcome = challenge.outcomes.first()
    data = {
        "title": "Lockers at stations",
        "problem": "Nobody is home when the van comes, so groceries go back.",
        "solution": "Temperature-controlled lockers at the train stations on the way home.",
        "outcomes": [outcome.pk],
        "action": "submit_different",
        f"answer-q{questions['cost'].pk}": "12",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Answer this question to submit your idea" in response.content.decode()
    assert not IdeaAnswer.objects.exists()

    response = client.post(url, {**data, "action": "draft"})
    assert response.status_code == 302
    idea = author.ideas.get()
    assert idea.status == Status.DRAFT

    response = client.post(
        reverse("ideas:edit", args=[idea.pk]),
        {**data, f"answer-q{questions['team'].pk}": "App", "action": "submit_different"},
    )
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.status == Status.SUBMITTED
    page = client.get(idea.get_absolute_url()).content.decode()
    assert "Answers to the challenge" in page and "Which team would run it?" in page and ">App<" in page


def test_triage_queue_filters_by_a_choice_question_of_the_chosen_challenge(client, challenge, questions):
    staff = TriageFactory()
    stores = _create(challenge, UserFactory(), submit=True, answers={questions["team"].pk: "Stores"})
    vans = _create(challenge, UserFactory(), submit=True, answers={questions["team"].pk: "Vans"})
    IdeaFactory()  # another challenge's idea
    client.login(username=staff.username, password=PASSWORD)
    url = reverse("admin:reviews_triageidea_changelist")
    page = client.get(url, {"challenge__id__exact": challenge.pk}).content.decode()
    assert "Which team would run it?" in page
    response = client.get(url, {"challenge__id__exact": challenge.pk, f"answer_{questions['team'].pk}": "Vans"})
    ids = [idea.pk for idea in response.context["cl"].result_list]
    assert ids == [vans.pk]
    assert stores.pk not in ids
    # Without a challenge chosen the queue offers no question filters (they belong to one challenge).
    assert "Which team would run it?" not in client.get(url).content.decode()


def test_exports_carry_the_answers(client, challenge, questions):
    staff = TriageFactory(is_superuser=True)
    _create(challenge, UserFactory(), submit=True, answers={questions["team"].pk: "Vans", questions["cost"].pk: "12"})
    client.login(username=staff.username, password=PASSWORD)
    for name in ("admin:ideas_idea_changelist", "admin:reviews_triageidea_changelist"):
        response = client.get(reverse(name) + "export.csv")
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
        header = rows[0]
        assert "answers" in header
        cell = rows[1][header.index("answers")]
        assert "Which team would run it?: Vans" in cell
        assert "What would it cost per month?: 12" in cell
