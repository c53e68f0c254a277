"""Issue 17: opening a notification marks it read; the header's bell, its menu and the notifications
page; notification texts without raw Markdown; the preferences table; the favicon."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications import services
from notifications.models import Delivery, Notification
from tests import factories
from tests.notification_kinds import Kind


def make(user, n=1, **fields):
    rows = [
        Notification(
            recipient=user,
            kind=fields.get("kind", Kind.KUDOS_RECEIVED),
            event_key=f"{user.pk}-{i}-{fields.get('key', '')}",
            title=fields.get("title", f"Kudos {i}"),
            body=fields.get("body", ""),
            url=fields.get("url", f"/ideas/{i + 1}/"),
        )
        for i in range(n)
    ]
    return Notification.objects.bulk_create(rows)


def unread(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


# --- opening one --------------------------------------------------------------------------------


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(client_for, customer, idea):
    [notification] = make(customer, url=idea.get_absolute_url())
    response = client_for(customer).get(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302 and response["Location"] == idea.get_absolute_url()
    notification.refresh_from_db()
    assert notification.read_at is not None
    read_at = notification.read_at
    client_for(customer).get(reverse("notifications:open", args=[notification.pk]))  # again: still read, same time
    notification.refresh_from_db()
    assert notification.read_at == read_at


def test_a_member_cannot_open_or_mark_read_anothers_notification(client_for, customer, other_customer):
    [theirs] = make(other_customer)
    client = client_for(customer)
    assert client.get(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 302
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client.get(reverse("notifications:open", args=[999999])).status_code == 404


def test_a_visitor_is_sent_to_sign_in_and_nothing_changes(client, customer):
    [notification] = make(customer)
    response = client.get(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    notification.refresh_from_db()
    assert notification.read_at is None


@pytest.mark.parametrize("url", ["https://evil.example.com/", "//evil.example.com/x", "/\\evil.example.com", ""])
def test_opening_never_leaves_the_site(client_for, customer, url):
    [notification] = make(customer, url=url)
    response = client_for(customer).get(reverse("notifications:open", args=[notification.pk]))
    assert response["Location"] == reverse("notifications:list")
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_opening_takes_no_post_and_two_queries_besides_the_session(client_for, customer):
    [notification] = make(customer)
    client = client_for(customer)
    assert client.post(reverse("notifications:open", args=[notification.pk])).status_code == 405
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("notifications:open", args=[notification.pk]))
    own = [q for q in queries.captured_queries if "notifications_notification" in q["sql"]]
    assert len(own) == 2  # the row, the UPDATE


def test_service_open_returns_none_for_another_member(customer, other_customer):
    [theirs] = make(other_customer)
    assert services.notification_open(user=customer, notification_id=theirs.pk) is None
    theirs.refresh_from_db()
    assert theirs.read_at is None


# --- the header: bell, accessible count, one count query -----------------------------------------


def test_the_bell_names_the_unread_count_in_words(client_for, customer):
    make(customer, 3)
    html = client_for(customer).get(reverse("ideas:list")).content.decode()
    assert 'class="icon icon-bell"' in html and "<svg" in html
    assert "3 unread notifications</span>" in html
    assert re.search(r'<span class="notif-count" aria-hidden="true">3</span>', html)
    assert "(3)" not in html
    Notification.objects.filter(recipient=customer).update(read_at="2026-01-01T00:00:00Z")
    html = client_for(customer).get(reverse("ideas:list")).content.decode()
    assert "no unread notifications" in html and "notif-count" not in html


def test_one_unread_notification_is_singular(client_for, customer):
    make(customer, 1)
    assert "1 unread notification</span>" in client_for(customer).get(reverse("home")).content.decode()


@pytest.mark.parametrize("path", ["home", "ideas:list", "notifications:list", "notifications:preferences"])
def test_the_unread_count_is_one_query_and_pages_stay_constant(client_for, customer, path):
    client = client_for(customer)
    make(customer, 2)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse(path))
    make(customer, 25, key="more")
    with CaptureQueriesContext(connection) as many:
        client.get(reverse(path))
    counts = [q for q in many.captured_queries if "COUNT(" in q["sql"] and '"read_at" IS NULL' in q["sql"]]
    assert len(counts) == 1
    assert len(many.captured_queries) == len(few.captured_queries)


# --- the menu ----------------------------------------------------------------------------------


def test_the_menu_lists_the_newest_few_with_links_that_open_them(client_for, customer, other_customer):
    make(customer, 8)
    make(other_customer, 2, title="Not yours")
    client = client_for(customer)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("notifications:menu"), {"here": "/ideas/?q=lockers"})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert html.count('data-testid="notif-menu-item"') == 6 and "Not yours" not in html
    assert "Kudos 7" in html and "Kudos 1" not in html
    newest = Notification.objects.filter(recipient=customer).order_by("-created_at", "-pk").first()
    assert reverse("notifications:open", args=[newest.pk]) in html
    assert "All notifications" in html and "Mark all read" in html
    assert 'name="next" value="/ideas/?q=lockers"' in html
    assert len(queries.captured_queries) <= 3  # session, user, the six rows


def test_the_menu_refuses_a_next_address_off_the_site(client_for, customer):
    make(customer)
    html = client_for(customer).get(reverse("notifications:menu"), {"here": "https://evil.example.com/"}).content
    assert b"evil.example.com" not in html and b'value="/notifications/"' in html


def test_mark_all_read_from_the_menu_returns_to_the_page(client_for, customer, other_customer):
    make(customer, 3)
    make(other_customer, 2)
    response = client_for(customer).post(reverse("notifications:read_all"), {"next": "/ideas/?q=x"})
    assert response["Location"] == "/ideas/?q=x"
    assert unread(customer) == 0 and unread(other_customer) == 2
    response = client_for(customer).post(reverse("notifications:read_all"), {"next": "https://evil.example.com/"})
    assert response["Location"] == reverse("notifications:list")


def test_the_menu_needs_a_member(client):
    assert client.get(reverse("notifications:menu")).status_code == 302


# --- texts without raw Markdown -----------------------------------------------------------------------


MARKDOWN_BODY = "**Great** idea, see [the map](https://example.com/map) <script>alert(1)</script>"


def test_the_page_and_the_menu_show_markdown_as_plain_text(client_for, customer):
    make(customer, title="Comment on “**Fast** lockers”", body=MARKDOWN_BODY)
    client = client_for(customer)
    for html in (
        client.get(reverse("notifications:list")).content.decode(),
        client.get(reverse("notifications:menu")).content.decode(),
    ):
        assert "Comment on “Fast lockers”" in html and "**" not in html
        assert "<script>alert" not in html
    page = client.get(reverse("notifications:list")).content.decode()
    assert "Great idea, see the map" in page


def test_the_email_subject_is_plain_and_the_body_markdown_rendered_safely(customer):
    services.preference_set(user=customer, kind=Kind.KUDOS_RECEIVED, delivery=Delivery.IMMEDIATELY)
    [notification] = make(customer, title="Your comment on “**Fast** lockers” received kudos", body=MARKDOWN_BODY)
    Notification.objects.filter(pk=notification.pk).update(delivery=Delivery.IMMEDIATELY)
    assert services.notification_email_send(notification_id=notification.pk)
    [email] = mail.outbox
    assert email.subject.endswith("Your comment on “Fast lockers” received kudos")
    html = email.alternatives[0][0]
    assert "<strong>Great</strong>" in html and "<script>" not in html and "**" not in html


# --- preferences table -------------------------------------------------------------------------------


def test_preferences_are_one_table_with_row_and_column_headers_and_labels(client_for, customer):
    client = client_for(customer)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("notifications:preferences")).content.decode()
    assert len(queries.captured_queries) <= 5  # session, user, their roles, preferences, unread count
    assert html.count("<table") == 1 and "<fieldset" not in html
    assert html.count('scope="col"') == 4 and 'scope="colgroup"' in html
    assert "Your ideas and comments" in html and "Challenges" in html and "Mentoring" in html
    rows = re.findall(r'<th scope="row" id="pref-(\w+)">', html)
    assert Kind.COMMENT_REPLY in rows and Kind.OVERDUE_DIGEST not in rows  # staff only
    # Each radio has its own label naming the kind and the choice (for screen readers).
    assert re.search(r'<span class="visually-hidden">Reply to my comment: In a daily digest</span>', html)
    radios = re.findall(r'<input type="radio" name="(\w+)" value="(\w+)"', html)
    labels = re.findall(r'<label for="([\w-]+)" class="choice-label">', html)
    assert len(radios) == len(labels) == 3 * len(rows)
    assert '<button type="submit" class="button">Save preferences</button>' in html


def test_preferences_saved_from_the_table_and_bad_values_change_nothing(client_for, customer):
    client = client_for(customer)
    html = client.get(reverse("notifications:preferences")).content.decode()
    data = dict(re.findall(r'<input type="radio" name="(\w+)" value="(\w+)"[^>]*checked', html))
    data[Kind.COMMENT_REPLY] = Delivery.OFF
    assert client.post(reverse("notifications:preferences"), data).status_code == 302
    assert services.delivery_for(customer.pk, Kind.COMMENT_REPLY) == Delivery.OFF
    data[Kind.COMMENT_REPLY] = "sometimes"
    response = client.post(reverse("notifications:preferences"), data)
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert services.delivery_for(customer.pk, Kind.COMMENT_REPLY) == Delivery.OFF


def test_triage_staff_see_their_digest_row_under_the_team_heading(client_for, triage):
    html = client_for(triage).get(reverse("notifications:preferences")).content.decode()
    assert f'id="pref-{Kind.OVERDUE_DIGEST}"' in html and "For the portal’s team" in html


# --- favicon, icons ---------------------------------------------------------------------------------


def test_the_favicon_is_served_at_the_root_and_linked(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"].endswith("favicon.ico")
    assert "max-age=86400" in response["Cache-Control"]
    html = client.get(reverse("home")).content.decode()
    assert 'rel="icon"' in html and "favicon.svg" in html and "favicon-32.png" in html


def test_no_template_or_stylesheet_uses_an_emoji_as_an_icon():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    emoji = re.compile("[\U0001f300-\U0001faff\u2600-\u26ff\u2700-\u27bf\u2b50]")
    offenders = [
        str(path.relative_to(root))
        for folder in ("templates", "static/css")
        for path in (root / folder).rglob("*")
        if path.suffix in {".html", ".css", ".txt", ".svg"} and emoji.search(path.read_text())
    ]
    assert offenders == []


def test_staff_wear_a_team_badge_and_members_their_tier_without_a_query_per_row(client, customer, triage, idea):
    factories.CommentFactory(idea=idea, author=triage, body="Thanks, we are looking at it.")
    factories.CommentFactory(idea=idea, author=customer, body="Great.")
    html = client.get(idea.get_absolute_url()).content.decode()
    assert html.count('data-testid="team-badge"') == 1
    team = html.index('data-testid="team-badge"')
    assert triage.public_name in html[team - 400 : team]
    assert 'data-testid="tier-badge"' in html  # the members keep theirs
    with CaptureQueriesContext(connection) as one:
        client.get(idea.get_absolute_url())
    for _ in range(5):
        factories.CommentFactory(idea=idea, author=factories.TriageFactory(), body="Staff here.")
    with CaptureQueriesContext(connection) as more:
        html = client.get(idea.get_absolute_url()).content.decode()
    assert html.count('data-testid="team-badge"') == 6
    assert len(more.captured_queries) == len(one.captured_queries)
