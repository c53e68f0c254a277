import pytest
from django.urls import reverse

from ideas.models import Status
from tests.test_i18n_triage_desk import QUEUE_URL, desk, page_text  # noqa: F401

pytestmark = pytest.mark.django_db


def test_dump(client_for, triage, mentor, desk):  # noqa: F811
    c = client_for(triage)
    pages = {
        "queue": QUEUE_URL + "?submitted=2026-01-01..2026-03-31",
        "queue_ch": QUEUE_URL + f"?challenge__id__exact={desk['challenge'].pk}",
        "score_sub": reverse("admin:reviews_triageidea_scorecard", args=[desk["submitted"].pk]),
        "score_short": reverse("admin:reviews_triageidea_scorecard", args=[desk["shortlisted"].pk]),
        "board": reverse("admin:reviews_board", args=[desk["challenge"].pk]),
        "boards": reverse("admin:reviews_board_index"),
        "gaps": reverse("admin:reviews_gaps", args=[desk["challenge"].pk]),
        "status": reverse("admin:ideas_idea_change_status", args=[desk["submitted"].pk]) + f"?to={Status.UNDER_REVIEW}",
        "close": reverse("admin:reviews_challenge_close", args=[desk["challenge"].pk]),
        "mentors": reverse("admin:reviews_mentor_changelist"),
        "reasons": reverse("admin:reviews_reasontemplate_changelist"),
        "reason_add": reverse("admin:reviews_reasontemplate_add"),
        "screenings": reverse("admin:reviews_screening_changelist"),
        "index": reverse("admin:index"),
        "finalists": reverse("reviews:finalists", args=[desk["challenge"].slug]),
    }
    for lang in ("de", "fr"):
        for name, url in pages.items():
            r = c.get(url, HTTP_ACCEPT_LANGUAGE=lang)
            open(f"/tmp/h4dump_{lang}_{name}.txt", "w").write(f"{r.status_code}\n{page_text(r)}")
            open(f"/tmp/h4dump_{lang}_{name}.html", "w").write(r.content.decode())
    m = client_for(mentor)
    for lang in ("de", "fr"):
        for name, url in {
            "m_ideas": reverse("reviews:mentor_ideas"),
            "m_idea": reverse("reviews:mentor_idea", args=[desk["mentored"].pk]),
        }.items():
            r = m.get(url, HTTP_ACCEPT_LANGUAGE=lang)
            open(f"/tmp/h4dump_{lang}_{name}.txt", "w").write(f"{r.status_code}\n{page_text(r)}")
