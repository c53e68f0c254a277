"""A comment's buttons are computed once (``ideas.rules.comment_actions``), not restated in templates.

A permissions matrix: each viewer (visitor, the comment's author, another member, a moderator) ×
each comment state (shown, hidden, removed, a reply, past its edit window, flagged by the viewer) ×
an open or a closed discussion. What ``comment_actions`` offers must be what the refusal rules the
services check would allow, case by case.
"""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from challenges.models import Challenge
from ideas import rules, selectors
from ideas.models import Comment, CommentFlag
from tests import factories

VIEWERS = ["visitor", "author", "member", "moderator"]
STATES = ["shown", "hidden", "removed", "reply", "old", "flagged"]


@pytest.fixture
def people(db):
    return {
        "visitor": AnonymousUser(),
        "author": factories.UserFactory(),
        "member": factories.UserFactory(),
        "moderator": factories.TriageFactory(),
    }


def _comment(idea, author, state, member) -> Comment:
    comment = factories.CommentFactory(idea=idea, author=author)
    now = timezone.now()
    if state == "hidden":
        Comment.objects.filter(pk=comment.pk).update(hidden_at=now, hidden_reason="Off topic.")
    elif state == "removed":
        Comment.objects.filter(pk=comment.pk).update(removed_at=now)
    elif state == "reply":
        comment.parent = factories.CommentFactory(idea=idea)
        comment.save(update_fields=["parent"])
    elif state == "old":
        Comment.objects.filter(pk=comment.pk).update(created_at=now - datetime.timedelta(hours=2))
    elif state == "flagged":
        CommentFlag.objects.create(comment=comment, user=member, reason="Spam")
        Comment.objects.filter(pk=comment.pk).update(flags_count=1)
    return comment


@pytest.mark.django_db
@pytest.mark.parametrize("phase", [Challenge.Phase.OPEN, Challenge.Phase.CLOSED])
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_actions_offered_are_those_the_rules_allow(people, phase, state, viewer):
    idea = factories.IdeaFactory(challenge=factories.ChallengeFactory(phase=phase))
    raw = _comment(idea, people["author"], state, people["member"])
    user = people[viewer]
    comment = selectors.comment_for(user, pk=raw.pk)
    discussion = rules.comment_refusal(user, idea)
    actions = rules.comment_actions(
        user, comment, discussion_refusal=discussion, moderator=rules.can_moderate_comments(user)
    )

    visible_body = not comment.removed_at and (not comment.hidden_at or viewer in ("author", "moderator"))
    assert actions.placeholder == ("" if visible_body else ("removed" if comment.removed_at else "hidden"))
    assert actions.can_edit == (discussion is None and rules.comment_edit_refusal(user, comment) is None)
    assert actions.can_remove == (rules.comment_remove_refusal(user, comment) is None)
    assert (actions.can_flag or actions.flagged_by_viewer) == (rules.comment_flag_refusal(user, comment) is None)
    assert actions.flagged_by_viewer == (state == "flagged" and viewer == "member")
    assert actions.can_give_kudos == (discussion is None and rules.kudos_refusal(user, comment) is None)
    moderator = rules.comment_moderation_refusal(user) is None
    assert actions.can_hide == (moderator and not comment.removed_at and not comment.hidden_at)
    assert actions.can_unhide == (moderator and not comment.removed_at and bool(comment.hidden_at))
    assert actions.can_reply == (
        discussion is None and comment.parent_id is None and not comment.hidden_at and not comment.removed_at
    )
    assert actions.sees_flags == (moderator and state == "flagged")
    # What it takes: nothing from the database.
    assert isinstance(actions, rules.CommentActions)


@pytest.mark.django_db
def test_the_page_reads_the_actions_without_a_query_per_comment(people, django_assert_num_queries):
    idea = factories.IdeaFactory()
    for _ in range(5):
        _comment(idea, people["author"], "shown", people["member"])
    user = people["moderator"]
    loaded = selectors.idea_detail_for(user, pk=idea.pk)
    discussion = rules.comment_refusal(user, loaded)
    rules.can_moderate_comments(user)  # the roles, read once per request (cached on the user)
    with django_assert_num_queries(0):
        page = selectors.comment_threads_page(loaded, 1, user=user, discussion_refusal=discussion)
    assert [c.actions.can_hide for c in page["threads"]] == [True] * 5
