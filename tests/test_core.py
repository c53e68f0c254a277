"""The shared kernel (core/): the one safe-redirect check, as every form that carries ``next`` uses it;
the admin's page helper; and the benchmark-only app kept out of a real deployment."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from core.admin import admin_page
from core.redirects import safe_next_url
from ideas.models import Comment
from tests import factories

ROOT = Path(__file__).resolve().parent.parent
FALLBACK = "/fallback/"


@pytest.mark.parametrize(
    "url,expected",
    [
        ("/ideas/3/", "/ideas/3/"),
        ("/ideas/?sort=new#top", "/ideas/?sort=new#top"),
        ("http://testserver/ideas/", "http://testserver/ideas/"),  # this site, written in full
        (None, FALLBACK),
        ("", FALLBACK),
        ("https://evil.example/", FALLBACK),
        ("//evil.example/", FALLBACK),
        ("/\\evil.example/", FALLBACK),  # browsers read "/\" as "//"
        ("\\\\evil.example", FALLBACK),
        ("javascript:alert(1)", FALLBACK),
        ("ftp://testserver/file", FALLBACK),
    ],
)
def test_safe_next_url_follows_only_this_sites_pages(rf, url, expected):
    assert safe_next_url(rf.post("/"), url, FALLBACK) == expected


def test_safe_next_url_keeps_https_requests_on_https(rf):
    request = rf.post("/", secure=True)
    assert safe_next_url(request, "http://testserver/ideas/", FALLBACK) == FALLBACK
    assert safe_next_url(request, "https://testserver/ideas/", FALLBACK) == "https://testserver/ideas/"


@pytest.mark.django_db
@pytest.mark.parametrize("wanted", ["//evil.example/", "/\\evil.example/", "https://evil.example/"])
def test_a_vote_and_a_follow_never_send_a_member_off_the_portal(client, customer, open_challenge, wanted):
    idea = factories.IdeaFactory(challenge=open_challenge)
    client.force_login(customer)
    vote = client.post(reverse("ideas:vote", args=[idea.pk]), {"value": "1", "next": wanted})
    follow = client.post(reverse("ideas:follow", args=[idea.pk]), {"action": "follow", "next": wanted})
    challenge = client.post(
        reverse("ideas:challenge_follow", args=[open_challenge.slug]), {"action": "follow", "next": wanted}
    )
    assert vote.status_code == follow.status_code == challenge.status_code == 302
    assert vote["Location"] == follow["Location"] == idea.get_absolute_url()
    assert challenge["Location"] == open_challenge.get_absolute_url()


@pytest.mark.django_db
def test_admin_page_frames_a_page_in_the_admin(triage):
    request = RequestFactory().get("/admin/ideas/comment/")
    request.user = triage
    modeladmin = admin.site._registry[Comment]
    response = admin_page(modeladmin, request, "admin/ideas/comment/hide.html", title="Hide comments", status=400)
    assert response.status_code == 400
    assert response.context_data["title"] == "Hide comments"
    assert response.context_data["opts"] is Comment._meta
    assert response.context_data["action_checkbox_name"] == "_selected_action"
    assert response.context_data["site_header"]  # the admin site's own context
    assert request.current_app == admin.site.name


@pytest.mark.parametrize(
    "bench,installed",
    [({}, False), ({"BENCH_BASELINE_VIEWS": "1"}, True)],
)
def test_the_baseline_app_is_installed_only_for_a_benchmark(bench, installed):
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print('baseline' in s.INSTALLED_APPS, 'core' in s.INSTALLED_APPS)"
    )
    clean = {key: value for key, value in os.environ.items() if key != "BENCH_BASELINE_VIEWS"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **bench, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "ideaportal.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == [str(installed), "True"], result.stderr
