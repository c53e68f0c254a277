"""The portal in German and in French, in a real browser: no English on the way (issue 19).

For each language a visitor (the browser asks for the language), a customer and a triage member
(who chose it on their preferences, while their browser asks for English: the member's choice
wins) walk the main journey: the home page, challenges, the idea list and an idea, signing in and
up, submitting an idea (first with mistakes), voting, commenting, the survey, notifications and
preferences; then the triage desk: the queue, a scorecard, the funnel board, a status change
with its reason, the gaps grid and the metrics. On every page, every text a person reads or hears
(tests/visible_english.py) is checked for English. The content is written in the page's language
by the test itself, as customers of a German or French portal would write it; names and codes are
allowed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from challenges.models import Challenge
from ideas.models import Idea, Status
from reviews.services import criteria_ensure_defaults
from tests import factories
from tests.browser import BROWSER_MARKS, TIMEOUT_MS
from tests.visible_english import english_in, visible_texts

pytestmark = BROWSER_MARKS

CONTENT = {
    "de": {
        "job": "Den Wocheneinkauf planen",
        "outcomes": ["Die Zeit verringern, um die Einkaufsliste zu schreiben", "Vergessene Artikel vermeiden"],
        "segment": "Familien",
        "challenge": "Wie wird die Lieferung einfacher?",
        "brief": "Wie könnten wir **den Empfang einer Lieferung** einfacher machen?",
        "context": "Wir fahren eigene Lieferwagen in drei Städten.",
        "prize": "Ein Jahr kostenlose Lieferung",
        "other_idea": "Abholfächer an Bahnhöfen",
        "problem": "Niemand ist zu Hause, wenn der Wagen kommt, also gehen die Lebensmittel zurück.",
        "solution": "Gekühlte Abholfächer an Bahnhöfen aufstellen, die bis zum Abend kühl bleiben.",
        "new_idea": "Lieferfenster am Abend",
        "new_problem": "Die meisten von uns arbeiten tagsüber, wenn der Wagen kommt.",
        "new_solution": "Lieferfenster von 18 bis 22 Uhr an Werktagen anbieten.",
        "comment": "Das würde ich jede Woche nutzen.",
        "reason": "Es liegt außerhalb dessen, was diese Challenge sucht.",
    },
    "fr": {
        "job": "Planifier les courses de la semaine",
        "outcomes": ["Réduire le temps passé à écrire la liste de courses", "Éviter les articles oubliés"],
        "segment": "Familles",
        "challenge": "Comment rendre la livraison plus simple ?",
        "brief": "Comment pourrions-nous rendre **la réception d'une livraison** plus simple ?",
        "context": "Nous avons nos propres camionnettes dans trois villes.",
        "prize": "Une année de livraisons gratuites",
        "other_idea": "Casiers dans les gares",
        "problem": "Personne n'est à la maison quand la camionnette passe, alors les courses repartent.",
        "solution": "Installer des casiers réfrigérés dans les gares, qui restent frais jusqu'au soir.",
        "new_idea": "Créneaux de livraison le soir",
        "new_problem": "La plupart d'entre nous travaillent en journée, quand la camionnette passe.",
        "new_solution": "Proposer des créneaux de 18 h à 22 h en semaine.",
        "comment": "Je l'utiliserais chaque semaine.",
        "reason": "Cela sort de ce que ce défi demande.",
    },
}
NAMES = {"Anna Schmidt", "Lena Weber", "Paul Martin", "Claire Dubois", "Tom Tri"}


def context_for(browser, base_url: str, user=None, *, locale: str):
    """A browser context asking for ``locale`` (Accept-Language), signed in as ``user`` if given."""
    context = browser.new_context(base_url=base_url, locale=locale, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])
    return context


class Walk:
    """Checks each page it is shown and gathers the English found, reported together at the end."""

    def __init__(self, language: str, allowed: set[str]):
        self.language = language
        self.allowed = allowed
        self.problems: list[str] = []
        self.pages = 0

    def check(self, page, label: str) -> None:
        self.pages += 1
        page.wait_for_load_state("load")
        lang = page.evaluate("document.documentElement.lang")
        if lang != self.language:
            self.problems.append(f"{label} ({page.url}): <html lang={lang!r}>, not {self.language!r}")
        for found in english_in(visible_texts(page), self.language, self.allowed):
            self.problems.append(f"{label} ({page.url}): {found}")

    def shoot(self, page, name: str) -> None:
        """With SCREENSHOTS_DIR set, the page at 1280 and at 390 px (docs/screenshots/ come from here)."""
        folder = os.environ.get("SCREENSHOTS_DIR")
        if not folder:
            return
        Path(folder).mkdir(parents=True, exist_ok=True)
        for width, height in ((1280, 800), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            page.screenshot(path=str(Path(folder) / f"{name}-{self.language}-{width}.png"))
        page.set_viewport_size({"width": 1280, "height": 800})

    def visit(self, page, path: str, label: str | None = None) -> None:
        response = page.goto(path)
        if response is None or response.status >= 400:
            self.problems.append(f"{label or path}: HTTP {response and response.status}")
            return
        self.check(page, label or path)


def portal_in(language: str) -> dict:
    """Content written in ``language``: a job and outcomes with scores, a challenge, ideas."""
    text = CONTENT[language]
    job = factories.JobFactory(name=text["job"])
    outcomes = [
        factories.OutcomeFactory(job=job, code=f"E{n}", statement=statement)
        for n, statement in enumerate(text["outcomes"], start=1)
    ]
    factories.SegmentFactory(name=text["segment"])
    challenge = factories.ChallengeFactory(
        title=text["challenge"],
        slug=f"challenge-{language}",
        brief=text["brief"],
        business_context=text["context"],
        prize=text["prize"],
        outcomes=outcomes,
        language=language,
    )
    criteria_ensure_defaults(challenge=challenge)
    names = sorted(NAMES)
    author = factories.UserFactory(display_name=names[0], language=language)
    other = factories.IdeaFactory(
        challenge=challenge, author=author, title=text["other_idea"], problem=text["problem"], solution=text["solution"]
    )
    factories.CommentFactory(idea=other, author=author, body=text["comment"])
    customer = factories.UserFactory(display_name=names[1], language=language)
    triage = factories.TriageFactory(display_name="Tom Tri", language=language)
    return {"challenge": challenge, "other": other, "customer": customer, "triage": triage, "outcomes": outcomes}


@pytest.mark.parametrize("language", ["de", "fr"])
def test_the_customer_journey_and_the_triage_desk_have_no_english(language, chromium, live_server):
    data = portal_in(language)
    text = CONTENT[language]
    challenge, other = data["challenge"], data["other"]
    people = (data["customer"], data["triage"], other.author)
    allowed = set(NAMES) | {user.email for user in people} | {user.username for user in people} | {"Open-Source"}
    # The languages' own names (the switcher and the language setting name each in itself).
    allowed |= {name for _code, name in settings.LANGUAGES}
    walk = Walk(language, allowed)

    # A visitor whose browser asks for the language.
    with context_for(chromium, live_server.url, locale=language) as context:
        page = context.new_page()
        for path in ("/", "/challenges/", challenge.get_absolute_url(), other.get_absolute_url(), "/ideas/"):
            walk.visit(page, path)
        walk.shoot(page, "ideas")
        for path in ("/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"):
            walk.visit(page, path)
        # Signing in with a wrong password: the error is in the language too.
        page.goto("/accounts/login/")
        page.locator("input[name=login]").fill(data["customer"].email)
        page.locator("input[name=password]").fill("not the password")
        page.locator("form button[type=submit]").last.click()
        walk.check(page, "sign-in refused")

    # A customer who chose the language, in a browser that asks for English.
    with context_for(chromium, live_server.url, data["customer"], locale="en-US") as context:
        page = context.new_page()
        walk.visit(page, "/")
        walk.visit(page, challenge.get_absolute_url())
        # The submission form, sent half filled: the errors and the summary.
        walk.visit(page, f"/challenges/{challenge.slug}/submit/")
        page.locator("input[name=title]").fill(text["new_idea"])
        page.locator(
            "form.idea-form button[type=submit][name=action][value=submit], form button[value=submit]"
        ).first.click()
        walk.check(page, "submission with mistakes")
        page.locator("textarea[name=problem]").fill(text["new_problem"])
        page.locator("textarea[name=solution]").fill(text["new_solution"])
        page.locator("input[name=outcomes]").first.check()
        page.locator("form button[value=submit]").first.click()
        expect(page.locator("h1")).to_have_text(text["new_idea"])
        walk.check(page, "the new idea")
        walk.shoot(page, "idea")
        # Vote for the other idea and comment on it.
        page.goto(other.get_absolute_url())
        page.locator("button.vote-button[value=up]").first.click()
        expect(page.locator("button.vote-button[value=up]").first).to_have_attribute("aria-pressed", "true")
        walk.check(page, "after a vote")
        page.locator("#id_body").fill(text["comment"])
        page.locator("#id_body").locator("xpath=ancestor::form").locator("button[type=submit]").click()
        walk.check(page, "after a comment")
        for path in (
            "/ideas/",
            "/ideas/mine/",
            "/surveys/",
            f"/surveys/{data['outcomes'][0].job_id}/",
            "/notifications/",
            "/notifications/preferences/",
            "/accounts/profile/",
            "/reputation/points/",
            "/reputation/leaderboard/",
        ):
            walk.visit(page, path)

    # The triage desk, for a triage member who chose the language.
    new_idea = Idea.objects.get(title=text["new_idea"])
    with context_for(chromium, live_server.url, data["triage"], locale="en-US") as context:
        page = context.new_page()
        walk.visit(page, "/admin/")
        walk.visit(page, "/admin/reviews/triageidea/")
        walk.shoot(page, "triage-queue")
        walk.visit(page, f"/admin/reviews/triageidea/{new_idea.pk}/scorecard/")
        walk.visit(page, "/admin/reviews/triageidea/board/")
        walk.visit(page, f"/admin/reviews/triageidea/board/{challenge.pk}/")
        walk.visit(page, f"/admin/reviews/triageidea/board/{challenge.pk}/gaps/")
        walk.visit(page, f"/admin/ideas/idea/{other.pk}/change-status/")
        page.locator("select[name=to_status]").select_option(Status.DECLINED.value)
        page.locator("textarea[name=reason]").fill(text["reason"])
        page.locator("#content form button[type=submit], #content form input[type=submit]").last.click()
        walk.check(page, "after a status change")
        walk.visit(page, f"/admin/ideas/idea/{other.pk}/change/")
        walk.visit(page, "/metrics/")
        walk.visit(page, "/opportunities/")

    # The author of the declined idea reads why, in the language they chose.
    with context_for(chromium, live_server.url, other.author, locale="en-US") as context:
        page = context.new_page()
        walk.visit(page, "/notifications/")
        walk.visit(page, other.get_absolute_url())

    assert Idea.objects.get(pk=other.pk).status == Status.DECLINED
    assert challenge.phase == Challenge.Phase.OPEN
    assert not walk.problems, f"English on {len(walk.problems)} spots of {walk.pages} pages:\n" + "\n".join(
        walk.problems
    )
