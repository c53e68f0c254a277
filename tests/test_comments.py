"""Comments: replies one level deep, edits in a window, removal, flags, moderation and kudos.

Roles: anonymous, the comment's author, another customer, triage staff and a mentor. Counters
(``Idea.comments_count``, ``Comment.kudos_count`` and ``flags_count``) must stay exact, refused
actions must say why and change nothing, and the idea page must ask a fixed number of queries.
"""

import datetime
import re
import threading

import pytest
from django.contrib.messages import get_messages
from django.db import close_old_connections, connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from challenges.models import Challenge
from ideas import rules, services
from ideas.models import Comment, CommentFlag, Idea, Kudos
from tests import factories
from tests.browser import CHROMIUM, expect, screenshot_on_failure

ROLES = ["anonymous", "author", "other_customer", "triage", "mentor"]


# --- fixtures and helpers ----------------------------------------------------------------------


@pytest.fixture
def commenter(db):
    return factories.UserFactory(display_name="Cam Commenter")


@pytest.fixture
def users(commenter, other_customer, triage, mentor):
    return {
        "anonymous": None,
        "author": commenter,
        "other_customer": other_customer,
        "triage": triage,
        "mentor": mentor,
    }


@pytest.fixture
def comment(idea, commenter):
    return services.comment_create(author=commenter, idea=idea, body="Lockers should be **heated** in winter.")


@pytest.fixture
def closed_idea(customer):
    challenge = factories.ChallengeFactory(title="Last year's question", phase=Challenge.Phase.CLOSED)
    return factories.IdeaFactory(challenge=challenge, author=customer, title="An idea of last year")


def old_comment(idea, author, body="I would use this every week."):
    """A comment posted while the challenge was still open (counted as comment_create counts it)."""
    Idea.objects.filter(pk=idea.pk).update(comments_count=F("comments_count") + 1)
    return factories.CommentFactory(idea=idea, author=author, body=body)


def fresh(obj):
    obj.refresh_from_db()
    return obj


def messages_of(response) -> list[str]:
    """The messages waiting for the person, oldest first (earlier unread ones included)."""
    return [str(message) for message in get_messages(response.wsgi_request)]


def last_message(response) -> str:
    return messages_of(response)[-1]


def comments_section(html: str) -> str:
    return html[html.index('<section id="comments"') : html.index("</section>", html.index('<section id="comments"'))]


def age(comment, minutes: int):
    """Pretend the comment was posted this many minutes ago."""
    Comment.objects.filter(pk=comment.pk).update(created_at=comment.created_at - datetime.timedelta(minutes=minutes))
    return fresh(comment)


# --- replies -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_replies_are_one_level_deep_and_counted(idea, comment, other_customer, mentor):
    reply = services.comment_create(author=other_customer, idea=idea, body="Agreed.", parent=comment)
    assert reply.parent_id == comment.pk
    # A reply to a reply joins the thread of its top-level comment.
    answer = services.comment_create(author=mentor, idea=idea, body="And lit at night.", parent=reply)
    assert answer.parent_id == comment.pk
    assert fresh(idea).comments_count == 3


@pytest.mark.django_db
def test_a_reply_must_answer_a_shown_comment_of_the_same_idea(idea, comment, commenter, other_customer, triage):
    other_idea = factories.IdeaFactory(challenge=idea.challenge)
    elsewhere = services.comment_create(author=commenter, idea=other_idea, body="Elsewhere")
    with pytest.raises(services.CommentNotAllowed, match="only reply to a comment on this idea"):
        services.comment_create(author=other_customer, idea=idea, body="Hm", parent=elsewhere)

    services.comment_hide(staff=triage, comment=comment, reason="Off topic")
    with pytest.raises(services.CommentNotAllowed, match="hidden by the moderators"):
        services.comment_create(author=other_customer, idea=idea, body="Hm", parent=comment)
    services.comment_unhide(staff=triage, comment=comment)
    services.comment_remove(user=commenter, comment=comment)
    with pytest.raises(services.CommentNotAllowed, match="was removed"):
        services.comment_create(author=other_customer, idea=idea, body="Hm", parent=comment)
    assert Comment.objects.filter(parent__isnull=False).count() == 0
    assert fresh(idea).comments_count == 0


@pytest.mark.django_db
def test_reply_through_the_page(client_for, idea, comment, other_customer):
    client = client_for(other_customer)
    url = reverse("ideas:comment", args=[idea.pk])
    response = client.post(url, {"body": "Yes, and **lit**", "parent": comment.pk})
    reply = Comment.objects.get(parent=comment)
    assert response.status_code == 302 and response["Location"].endswith(f"#comment-{reply.pk}")
    # An empty reply says why, under its comment, and saves nothing.
    response = client.post(url, {"body": "   ", "parent": comment.pk})
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    assert last_message(response) == "A comment cannot be empty."
    # A parent that is not a comment of this idea.
    response = client.post(url, {"body": "Hello", "parent": 999999})
    assert last_message(response) == "The comment you replied to is no longer there."
    assert Comment.objects.count() == 2 and fresh(idea).comments_count == 2

    page = client.get(idea.get_absolute_url()).content.decode()
    section = comments_section(page)
    # The reply sits inside its comment's article, in the replies block, with its own reply form absent.
    thread = section[section.index(f'id="comment-{comment.pk}"') :]
    assert thread.index('class="comment-replies"') < thread.index(f'id="comment-{reply.pk}"')
    assert "<strong>lit</strong>" in section
    assert section.count('name="parent"') == 1  # only top-level comments take replies


# --- editing -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_edit_within_the_window_and_refused_after(comment, commenter):
    edited = services.comment_edit(user=commenter, comment=comment, body="Heated *and* lit.")
    assert edited.body == "Heated *and* lit." and edited.edited_at is not None
    age(comment, services.COMMENT_EDIT_MINUTES + 1)
    with pytest.raises(services.CommentNotAllowed, match="15 minutes after posting"):
        services.comment_edit(user=commenter, comment=comment, body="Changed my mind")
    assert fresh(comment).body == "Heated *and* lit."


@pytest.mark.django_db
def test_edit_refuses_others_and_empty_text(comment, commenter, other_customer, triage):
    for user in (other_customer, triage):
        with pytest.raises(services.CommentNotAllowed, match="Only its author"):
            services.comment_edit(user=user, comment=comment, body="Vandalised")
    with pytest.raises(services.CommentNotAllowed, match="cannot be empty"):
        services.comment_edit(user=commenter, comment=comment, body="  ")
    comment = fresh(comment)
    assert comment.body == "Lockers should be **heated** in winter." and comment.edited_at is None


@pytest.mark.django_db
def test_edit_page(client_for, idea, comment, commenter, other_customer):
    url = reverse("ideas:comment_edit", args=[comment.pk])
    client = client_for(commenter)
    response = client.get(url)
    assert response.status_code == 200
    assert "Lockers should be **heated** in winter." in response.content.decode()
    response = client.post(url, {"body": ""})
    assert response.status_code == 400 and "A comment cannot be empty." in response.content.decode()
    response = client.post(url, {"body": "Heated lockers, please."})
    assert response.status_code == 302 and response["Location"].endswith(f"#comment-{comment.pk}")
    section = comments_section(client.get(idea.get_absolute_url()).content.decode())
    assert "Heated lockers, please." in section and "edited</span>" in section
    assert f'href="{url}"' in section  # the author still sees the Edit link within the window

    age(comment, 16)
    section = comments_section(client.get(idea.get_absolute_url()).content.decode())
    assert f'href="{url}"' not in section
    response = client.get(url)
    assert response.status_code == 302 and "that time is over" in last_message(response)

    response = client_for(other_customer).post(url, {"body": "Mine now"})
    assert last_message(response) == "Only its author can edit a comment."
    assert fresh(comment).body == "Heated lockers, please."


# --- removal -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_remove_keeps_the_row_and_the_replies_and_exact_counts(client_for, idea, comment, commenter, other_customer):
    reply = services.comment_create(author=other_customer, idea=idea, body="Agreed, heated ones!", parent=comment)
    services.comment_create(author=other_customer, idea=idea, body="Another thought")
    assert fresh(idea).comments_count == 3

    services.comment_remove(user=commenter, comment=comment)
    with pytest.raises(services.CommentNotAllowed, match="already removed"):
        services.comment_remove(user=commenter, comment=comment)  # a double click counts once
    assert fresh(idea).comments_count == 2
    assert fresh(comment).removed_at is not None and Comment.objects.count() == 3

    section = comments_section(client_for(other_customer).get(idea.get_absolute_url()).content.decode())
    assert "This comment was removed." in section
    assert "Lockers should be" not in section and "Cam Commenter" not in section
    assert "Agreed, heated ones!" in section and f'id="comment-{reply.pk}"' in section
    assert "Comments (2)" in section


@pytest.mark.django_db
def test_a_hidden_then_removed_comment_is_uncounted_once(idea, comment, commenter, triage):
    services.comment_hide(staff=triage, comment=comment, reason="Spam")
    services.comment_remove(user=commenter, comment=comment)
    assert fresh(idea).comments_count == 0
    services.comment_unhide(staff=triage, comment=comment)  # still removed: still not counted
    assert fresh(idea).comments_count == 0


# --- flags -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_flag_once_per_member_and_not_ones_own(comment, commenter, other_customer, mentor):
    services.comment_flag(user=other_customer, comment=comment, reason="Rude")
    with pytest.raises(services.CommentNotAllowed, match="already flagged"):
        services.comment_flag(user=other_customer, comment=comment)
    with pytest.raises(services.CommentNotAllowed, match="your own comment"):
        services.comment_flag(user=commenter, comment=comment)
    services.comment_flag(user=mentor, comment=comment)
    assert fresh(comment).flags_count == 2
    assert list(CommentFlag.objects.order_by("pk").values_list("reason", flat=True)) == ["Rude", ""]


@pytest.mark.django_db
def test_flags_stay_possible_on_a_closed_challenge(closed_idea, commenter, other_customer):
    old = old_comment(closed_idea, commenter, body="Spam spam spam")
    services.comment_flag(user=other_customer, comment=old, reason="Spam")
    assert fresh(old).flags_count == 1


@pytest.mark.django_db
def test_flag_through_the_page(client_for, comment, other_customer):
    client = client_for(other_customer)
    url = reverse("ideas:comment_flag", args=[comment.pk])
    response = client.post(url, {"reason": "x" * 301})
    assert last_message(response) == "Keep the reason to 300 characters."
    response = client.post(url, {"reason": "Not about the idea"})
    assert last_message(response) == "Thank you: the moderators will look at this comment."
    response = client.post(url, {"reason": "Again"})
    assert "already flagged" in last_message(response)
    assert fresh(comment).flags_count == 1
    section = comments_section(client.get(comment.idea.get_absolute_url()).content.decode())
    assert "You flagged this" in section and url not in section


# --- moderation --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_hide_needs_triage_and_a_reason(idea, comment, other_customer, mentor, triage):
    for user in (other_customer, mentor):
        with pytest.raises(services.CommentNotAllowed, match="Only the moderators"):
            services.comment_hide(staff=user, comment=comment, reason="Because")
    with pytest.raises(services.CommentNotAllowed, match="Give the author a reason"):
        services.comment_hide(staff=triage, comment=comment, reason="   ")
    assert fresh(comment).hidden_at is None and fresh(idea).comments_count == 1

    services.comment_hide(staff=triage, comment=comment, reason="Personal details")
    comment = fresh(comment)
    assert (comment.hidden_by, comment.hidden_reason) == (triage, "Personal details")
    assert fresh(idea).comments_count == 0
    with pytest.raises(services.CommentNotAllowed, match="already hidden"):
        services.comment_hide(staff=triage, comment=comment, reason="Again")
    with pytest.raises(services.CommentNotAllowed, match="Only the moderators"):
        services.comment_unhide(staff=mentor, comment=comment)
    services.comment_unhide(staff=triage, comment=comment)
    comment = fresh(comment)
    assert (comment.hidden_at, comment.hidden_by, comment.hidden_reason) == (None, None, "")
    assert fresh(idea).comments_count == 1


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_a_hidden_comment_shows_its_reason_to_its_author_only(client_for, users, role, idea, comment, triage):
    services.comment_hide(staff=triage, comment=comment, reason="Please keep personal details out")
    section = comments_section(client_for(users[role]).get(idea.get_absolute_url()).content.decode())
    sees_text = role in {"author", "triage"}
    assert ("Hidden by the moderators:</strong> Please keep personal details out" in section) is sees_text
    assert ("Lockers should be" in section) is sees_text
    assert ("This comment was hidden by the moderators." in section) is not sees_text
    assert (reverse("ideas:comment_unhide", args=[comment.pk]) in section) is (role == "triage")


@pytest.mark.django_db
def test_hide_through_the_page(client_for, comment, triage, other_customer):
    url = reverse("ideas:comment_hide", args=[comment.pk])
    response = client_for(other_customer).post(url, {"reason": ""})
    assert last_message(response) == "Only the moderators can hide or show comments."
    client = client_for(triage)
    response = client.post(url, {"reason": ""})
    assert last_message(response) == "Give the author a reason when hiding a comment."
    assert fresh(comment).hidden_at is None
    response = client.post(url, {"reason": "Off topic"})
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    assert fresh(comment).hidden_reason == "Off topic"


# --- kudos -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_kudos_once_per_member_not_ones_own_and_exact(comment, commenter, other_customer, mentor, triage):
    for user in (other_customer, mentor, triage):
        services.kudos_give(user=user, comment=comment)
    with pytest.raises(services.CommentNotAllowed, match="already gave kudos"):
        services.kudos_give(user=mentor, comment=comment)
    with pytest.raises(services.CommentNotAllowed, match="your own comment"):
        services.kudos_give(user=commenter, comment=comment)
    assert fresh(comment).kudos_count == 3 == Kudos.objects.filter(comment=comment).count()

    assert services.kudos_take_back(user=mentor, comment=comment).kudos_count == 2
    with pytest.raises(services.CommentNotAllowed, match="have not given kudos"):
        services.kudos_take_back(user=mentor, comment=comment)
    assert fresh(comment).kudos_count == 2 == Kudos.objects.filter(comment=comment).count()


@pytest.mark.django_db
def test_no_kudos_on_removed_or_hidden_comments_or_closed_challenges(
    idea, comment, commenter, other_customer, triage, closed_idea
):
    services.comment_hide(staff=triage, comment=comment, reason="Spam")
    with pytest.raises(services.CommentNotAllowed, match="hidden by the moderators"):
        services.kudos_give(user=other_customer, comment=comment)
    services.comment_unhide(staff=triage, comment=comment)
    services.comment_remove(user=commenter, comment=comment)
    with pytest.raises(services.CommentNotAllowed, match="was removed"):
        services.kudos_give(user=other_customer, comment=comment)
    old = old_comment(closed_idea, commenter)
    with pytest.raises(services.CommentNotAllowed, match="challenge is closed"):
        services.kudos_give(user=other_customer, comment=old)
    assert not Kudos.objects.exists()


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_kudos_leave_an_exact_count():
    """Real threads, each with its own database connection, giving kudos to one comment at once."""
    comment = factories.CommentFactory()
    members = factories.UserFactory.create_batch(20)
    errors, refusals = [], []
    barrier = threading.Barrier(len(members))

    def give(user):
        try:
            barrier.wait()
            services.kudos_give(user=user, comment=comment)
            try:
                services.kudos_give(user=user, comment=comment)  # a double click
            except services.CommentNotAllowed as refusal:
                refusals.append(str(refusal))
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=give, args=(user,)) for user in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert refusals == ["You already gave kudos to this comment."] * 20
    assert fresh(comment).kudos_count == 20 == Kudos.objects.filter(comment=comment).count()


@pytest.mark.django_db
def test_kudos_with_htmx_swap_in_place(client_for, comment, other_customer):
    client = client_for(other_customer)
    url = reverse("ideas:kudos", args=[comment.pk])
    response = client.post(url, {"value": "give"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith(f'<div class="kudos" id="kudos-{comment.pk}">')
    assert 'aria-pressed="true"' in html and 'value="take_back"' in html
    assert re.search(r'data-testid="kudos-count">1<', html)
    # A second "give" (a double click) is refused in place and counts once.
    html = client.post(url, {"value": "give"}, HTTP_HX_REQUEST="true").content.decode()
    assert "You already gave kudos to this comment." in html and re.search(r'data-testid="kudos-count">1<', html)
    html = client.post(url, {"value": "take_back"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'aria-pressed="false"' in html and re.search(r'data-testid="kudos-count">0<', html)
    assert fresh(comment).kudos_count == 0


@pytest.mark.django_db
def test_kudos_without_htmx_go_back_to_the_comment(client_for, client, comment, commenter, other_customer):
    url = reverse("ideas:kudos", args=[comment.pk])
    response = client_for(other_customer).post(url, {"value": "give"})
    assert (
        response.status_code == 302
        and response["Location"] == f"{comment.idea.get_absolute_url()}?comment={comment.pk}#comment-{comment.pk}"
    )
    assert last_message(response) == "Thank you: your kudos are counted."
    response = client_for(other_customer).post(url, {"value": "sideways"})
    assert "Kudos are given or taken back." in messages_of(response)
    response = client_for(commenter).post(url, {"value": "give"})
    assert last_message(response) == "You cannot give kudos to your own comment."
    client.logout()
    response = client.post(url, {"value": "give"}, HTTP_HX_REQUEST="true")
    assert "Sign in to give kudos." in response.content.decode()
    assert fresh(comment).kudos_count == 1


# --- every action for every role ---------------------------------------------------------------


def _reply(client, comment):
    return client.post(reverse("ideas:comment", args=[comment.idea_id]), {"body": "A reply", "parent": comment.pk})


ACTIONS = {
    # action: (how to do it over HTTP, did it happen, roles allowed)
    "reply": (_reply, lambda c: c.replies.exists(), {"author", "other_customer", "triage", "mentor"}),
    "edit": (
        lambda client, c: client.post(reverse("ideas:comment_edit", args=[c.pk]), {"body": "New text"}),
        lambda c: c.body == "New text",
        {"author"},
    ),
    "remove": (
        lambda client, c: client.post(reverse("ideas:comment_remove", args=[c.pk])),
        lambda c: c.removed_at is not None,
        {"author"},
    ),
    "flag": (
        lambda client, c: client.post(reverse("ideas:comment_flag", args=[c.pk]), {"reason": "Rude"}),
        lambda c: c.flags_count == 1,
        {"other_customer", "triage", "mentor"},
    ),
    "kudos": (
        lambda client, c: client.post(reverse("ideas:kudos", args=[c.pk]), {"value": "give"}),
        lambda c: c.kudos_count == 1,
        {"other_customer", "triage", "mentor"},
    ),
    "hide": (
        lambda client, c: client.post(reverse("ideas:comment_hide", args=[c.pk]), {"reason": "Off topic"}),
        lambda c: c.hidden_at is not None,
        {"triage"},
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_each_role_each_action(client_for, users, role, action, idea, comment):
    act, happened, allowed = ACTIONS[action]
    response = act(client_for(users[role]), comment)
    assert response.status_code == 302
    comment = fresh(comment)
    assert happened(comment) is (role in allowed)
    if role == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))
    elif role not in allowed:
        assert messages_of(response), "a refusal must say why"
        assert response["Location"].endswith(f"#comment-{comment.pk}")
    expected_count = {"remove": 0, "hide": 0, "reply": 2}.get(action, 1) if role in allowed else 1
    assert fresh(idea).comments_count == expected_count


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_unhide_is_for_triage_only(client_for, users, role, comment, triage):
    services.comment_hide(staff=triage, comment=comment, reason="Off topic")
    response = client_for(users[role]).post(reverse("ideas:comment_unhide", args=[comment.pk]))
    assert response.status_code == 302
    assert (fresh(comment).hidden_at is None) is (role == "triage")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_what_each_role_is_offered_on_the_page(client_for, users, role, idea, comment):
    section = comments_section(client_for(users[role]).get(idea.get_absolute_url()).content.decode())
    offered = {
        "reply": 'name="parent"' in section,
        "edit": reverse("ideas:comment_edit", args=[comment.pk]) in section,
        "remove": reverse("ideas:comment_remove", args=[comment.pk]) in section,
        "flag": reverse("ideas:comment_flag", args=[comment.pk]) in section,
        "kudos": reverse("ideas:kudos", args=[comment.pk]) in section,
        "hide": reverse("ideas:comment_hide", args=[comment.pk]) in section,
    }
    assert offered == {action: role in allowed for action, (_, _, allowed) in ACTIONS.items()}


@pytest.mark.django_db
def test_comments_on_a_private_idea_are_not_found(client_for, customer, other_customer, commenter):
    draft = factories.IdeaFactory(author=customer, status="draft", submitted_at=None)
    hidden_comment = factories.CommentFactory(idea=draft, author=customer)
    for name in ("comment_flag", "kudos", "comment_remove"):
        response = client_for(other_customer).post(reverse(f"ideas:{name}", args=[hidden_comment.pk]))
        assert response.status_code == 404


# --- phases, Markdown and the page ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_closed_challenge_takes_no_comments_replies_edits_or_kudos(closed_idea, commenter, other_customer):
    old = old_comment(closed_idea, commenter)
    with pytest.raises(services.CommentNotAllowed, match="comments are read-only"):
        services.comment_create(author=other_customer, idea=closed_idea, body="Late!")
    with pytest.raises(services.CommentNotAllowed, match="comments are read-only"):
        services.comment_create(author=other_customer, idea=closed_idea, body="Late!", parent=old)
    with pytest.raises(services.CommentNotAllowed, match="comments are read-only"):
        services.comment_edit(user=commenter, comment=old, body="Changed")
    assert Comment.objects.count() == 1 and fresh(old).body == "I would use this every week."
    services.comment_remove(user=commenter, comment=old)  # an author may always take their words back
    assert fresh(old).removed_at is not None


XSS_BODIES = [
    "Nice <script>alert('xss')</script> idea",
    'Look <img src="x" onerror="alert(1)"> here',
    "[a link](javascript:alert(1)) in Markdown",
    '<a href="javascript:alert(1)" onclick="alert(2)">a raw link</a>',
    '<iframe src="https://evil.example"></iframe><svg onload="alert(1)"></svg>',
]


@pytest.mark.django_db
def test_xss_payloads_in_comments_and_replies_do_not_survive(client_for, idea, commenter, other_customer):
    top = services.comment_create(author=commenter, idea=idea, body=XSS_BODIES[0])
    for body in XSS_BODIES[1:]:
        services.comment_create(author=other_customer, idea=idea, body=body, parent=top)
    section = comments_section(client_for(other_customer).get(idea.get_absolute_url()).content.decode()).lower()
    section = re.sub(r'<svg class="icon [^"]*" aria-hidden="true".*?</svg>', "", section)  # the portal's own icons
    for dangerous in ("<script", "onerror", "onclick", "onload", "javascript:", "<iframe", "<svg", "<img"):
        assert dangerous not in section, dangerous
    assert "in markdown" in section and "a raw link" in section  # the harmless text stays


def _discussion(idea, size: int, users: list):
    """``size`` top-level comments, each with a reply, and kudos from every member on each of them."""
    author, *others = users
    for index in range(size):
        top = services.comment_create(author=author, idea=idea, body=f"Comment {index}")
        reply = services.comment_create(author=others[index % len(others)], idea=idea, body="Re", parent=top)
        for member in others:
            services.kudos_give(user=member, comment=top)
        services.kudos_give(user=author, comment=reply)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "author", "other_customer", "triage"])
def test_idea_page_queries_are_constant_in_comments_replies_and_kudos(client_for, users, role, idea):
    members = [users["author"], users["other_customer"], users["mentor"], users["triage"]]
    client = client_for(users[role])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(idea.get_absolute_url()).status_code == 200
        return len(captured)

    _discussion(idea, 2, members)
    services.comment_flag(user=users["other_customer"], comment=Comment.objects.first())
    with_two = queries()
    _discussion(idea, 10, members)
    assert Comment.objects.filter(idea=idea, parent__isnull=True).count() == 12
    assert queries() == with_two


@pytest.mark.django_db
def test_page_marks_authors_edits_and_kudos(client_for, idea, comment, customer, other_customer):
    services.comment_create(author=customer, idea=idea, body="Thanks!", parent=comment)
    services.kudos_give(user=other_customer, comment=comment)
    services.comment_edit(user=comment.author, comment=comment, body="Heated lockers in winter.")
    section = comments_section(client_for(other_customer).get(idea.get_absolute_url()).content.decode())
    assert "idea author</span>" in section  # the reply by the idea's author
    assert 'class="comment-edited"' in section
    assert 'aria-pressed="true"' in section  # the viewer's own kudos
    assert re.search(r'data-testid="kudos-count">1<', section)


def test_the_edit_window_is_fifteen_minutes():
    assert services.COMMENT_EDIT_MINUTES == rules.COMMENT_EDIT_MINUTES == 15


# --- the staff admin ---------------------------------------------------------------------------


ADMIN_CHANGELIST = "admin:ideas_comment_changelist"


@pytest.mark.django_db
def test_admin_lists_flagged_comments_and_hides_them_with_a_reason(client_for, idea, comment, triage, other_customer):
    calm = services.comment_create(author=other_customer, idea=idea, body="All good")
    services.comment_flag(user=other_customer, comment=comment, reason="Rude")
    client = client_for(triage)

    response = client.get(reverse(ADMIN_CHANGELIST), {"moderation": "flagged"})
    assert response.status_code == 200
    shown = list(response.context["cl"].result_list)
    assert shown == [comment]
    assert "field-flags_count" in response.text and "field-kudos_count" in response.text

    # The action first asks for the reason; without one nothing is hidden.
    data = {"action": "hide_comments", "_selected_action": [comment.pk, calm.pk], "index": 0}
    response = client.post(reverse(ADMIN_CHANGELIST), data)
    assert response.status_code == 200 and response.templates[0].name == "admin/ideas/comment/hide.html"
    response = client.post(reverse(ADMIN_CHANGELIST), {**data, "apply": "Hide", "reason": " "})
    assert response.status_code == 200 and "Give the author a reason" in response.text
    assert not Comment.objects.filter(hidden_at__isnull=False).exists()

    response = client.post(
        reverse(ADMIN_CHANGELIST), {**data, "apply": "Hide", "reason": "Rude to others"}, follow=True
    )
    assert "2 comments hidden" in response.text
    assert set(Comment.objects.filter(hidden_reason="Rude to others").values_list("pk", flat=True)) == {
        comment.pk,
        calm.pk,
    }
    assert fresh(idea).comments_count == 0

    # Hiding again is refused by the service, by name.
    response = client.post(reverse(ADMIN_CHANGELIST), {**data, "apply": "Hide", "reason": "Again"}, follow=True)
    assert f"Comment #{comment.pk} was not hidden: This comment is already hidden." in response.text

    response = client.post(
        reverse(ADMIN_CHANGELIST), {"action": "unhide_comments", "_selected_action": [calm.pk], "index": 0}, follow=True
    )
    assert "1 comment shown again." in response.text and fresh(idea).comments_count == 1


@pytest.mark.django_db
def test_admin_hides_one_comment_from_its_change_page(client_for, comment, triage):
    client = client_for(triage)
    change = client.get(reverse("admin:ideas_comment_change", args=[comment.pk]))
    hide_url = reverse("admin:ideas_comment_hide", args=[comment.pk])
    assert change.status_code == 200 and hide_url in change.text
    assert client.get(hide_url).status_code == 200
    response = client.post(hide_url, {"reason": "Personal details"})
    assert response.status_code == 302
    assert fresh(comment).hidden_reason == "Personal details"


@pytest.mark.django_db
def test_admin_hide_needs_triage(client, comment, django_user_model):
    staff = django_user_model.objects.create_user(
        username="helper", email="helper@example.com", password="pw-helper-123", is_staff=True
    )
    client.force_login(staff)
    assert client.get(reverse("admin:ideas_comment_hide", args=[comment.pk])).status_code == 403
    assert fresh(comment).hidden_at is None


# --- a real browser ------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)")
def test_kudos_button_swaps_in_place_in_a_browser(page, tmp_path):
    idea = factories.IdeaFactory(title="Lockers at stations")
    reader = factories.UserFactory(display_name="Rita Reader")
    comment = services.comment_create(author=factories.UserFactory(), idea=idea, body="Heated ones, please.")

    with screenshot_on_failure(page, tmp_path / "failure.png"):
        page.goto("/accounts/login/")
        page.get_by_label("Email").fill(reader.email)
        page.get_by_label("Password").fill(factories.PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.goto(idea.get_absolute_url())
        page.evaluate("window.notReloaded = true")
        button = page.locator(f"#kudos-{comment.pk} button")
        expect(button).to_have_attribute("aria-pressed", "false")
        button.click()
        expect(page.locator(f"#kudos-{comment.pk} button")).to_have_attribute("aria-pressed", "true")
        expect(page.locator(f"#kudos-{comment.pk} [data-testid=kudos-count]")).to_have_text("1")
        assert page.evaluate("window.notReloaded === true"), "kudos reloaded the page instead of swapping"
    assert fresh(comment).kudos_count == 1
