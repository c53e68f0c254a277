"""A popular idea's discussion in pages of threads: the detail page shows COMMENT_THREADS_PER_PAGE
threads at a time, with all their replies, in the same number of queries however long it is; links
to a comment open the page that holds it."""

import pytest

from ideas.selectors import COMMENT_THREADS_PER_PAGE, comment_url
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def threads(idea):
    """A page of threads and five more, the third of those with two replies."""
    made = [factories.CommentFactory(idea=idea, body=f"Thread {n}") for n in range(1, COMMENT_THREADS_PER_PAGE + 6)]
    replies = [
        factories.CommentFactory(idea=idea, parent=made[COMMENT_THREADS_PER_PAGE + 2], body=f"Reply {n}")
        for n in (1, 2)
    ]
    return made, replies


def body_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_the_first_page_shows_a_page_of_threads_and_a_link_to_the_next(client, idea, threads):
    html = body_of(client.get(idea.get_absolute_url()))
    assert html.count('class="comment" id="comment-') == COMMENT_THREADS_PER_PAGE
    assert "Thread 1<" in html and f"Thread {COMMENT_THREADS_PER_PAGE}<" in html
    assert f"Thread {COMMENT_THREADS_PER_PAGE + 1}<" not in html
    assert '?comments=2#comments" rel="next"' in html
    assert 'rel="prev"' not in html


def test_the_second_page_shows_the_rest_with_their_replies(client, idea, threads):
    html = body_of(client.get(idea.get_absolute_url(), {"comments": 2}))
    assert html.count('class="comment" id="comment-') == 5
    assert "Reply 1" in html and "Reply 2" in html
    assert '?comments=1#comments" rel="prev"' in html
    assert 'rel="next"' not in html


def test_a_link_to_a_reply_opens_the_page_of_its_thread(client, idea, threads):
    _, replies = threads
    url = comment_url(replies[1])
    assert url == f"{idea.get_absolute_url()}?comment={replies[1].pk}#comment-{replies[1].pk}"
    html = body_of(client.get(idea.get_absolute_url(), {"comment": replies[1].pk}))
    assert f'id="comment-{replies[1].pk}"' in html


@pytest.mark.parametrize("value", ["0", "-3", "abc", "99999999999999999999", "1.5", ""])
def test_page_numbers_that_are_not_page_numbers_show_the_first_page(client, idea, threads, value):
    """Not a number of a page (zero, negative, text, too large for an integer column): the first page,
    exactly as without the parameter, never an error and never "no more comments"."""
    html = body_of(client.get(idea.get_absolute_url(), {"comments": value}))
    assert html.count('class="comment" id="comment-') == COMMENT_THREADS_PER_PAGE
    assert "Thread 1<" in html and "No more comments" not in html
    assert '?comments=2#comments" rel="next"' in html


def test_a_page_past_the_end_says_so(client, idea, threads):
    html = body_of(client.get(idea.get_absolute_url(), {"comments": 9}))
    assert "No more comments" in html


def test_a_comment_of_another_idea_opens_the_first_page(client, idea, threads, open_challenge):
    other = factories.CommentFactory(idea=factories.IdeaFactory(challenge=open_challenge))
    html = body_of(client.get(idea.get_absolute_url(), {"comment": other.pk}))
    assert "Thread 1<" in html


@pytest.mark.parametrize("count", [1, COMMENT_THREADS_PER_PAGE + 10])
def test_the_query_count_is_the_same_for_one_thread_and_many(
    client_for, other_customer, idea, count, django_assert_num_queries
):
    factories.CommentFactory.create_batch(count, idea=idea)
    client = client_for(other_customer)
    with django_assert_num_queries(14):  # as tests/test_views.py counts the detail page
        assert client.get(idea.get_absolute_url()).status_code == 200


def test_notifications_link_to_the_page_of_the_comment(idea, other_customer, django_capture_on_commit_callbacks):
    from ideas import services
    from notifications.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        comment = services.comment_create(author=other_customer, idea=idea, body="Lockers at bus stops too?")
    notification = Notification.objects.get(recipient=idea.author)
    assert notification.url == f"{idea.get_absolute_url()}?comment={comment.pk}#comment-{comment.pk}"
