"""A customer filling in an outcome survey in a real browser (Debian's Chromium driven by Playwright).

Sign in, open a job's survey from the surveys list, answer the segment question and part of the
outcomes by clicking the answers' labels, save and come back, then finish and submit. The fixtures
and the reasons for them (a transactional test beside the live server's thread, the ORM beside
Playwright's event loop, a cache of the test's own) are those of tests/test_browser.py.
"""

import pytest
from django.urls import reverse

from scoring.models import Rating, Respondent
from tests import factories
from tests.browser import CHROMIUM, screenshot_on_failure

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (requirements-dev.txt)")
expect = sync_api.expect


pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)"),
]


def test_customer_fills_in_a_survey(page, tmp_path):
    with screenshot_on_failure(page, tmp_path / "failure.png"):
        survey_journey(page)


def rate(page, outcome, importance: str | None, satisfaction: str | None):
    """Click the answers' labels of one outcome (its fieldset is named by the statement); None leaves one out."""
    group = page.get_by_role("group", name=outcome.statement, exact=True)
    if importance:
        group.get_by_role("group", name="How important is this to you?").get_by_text(importance, exact=True).click()
    if satisfaction:
        group.get_by_role("group", name="How satisfied are you").get_by_text(satisfaction, exact=True).click()


def weekly_shop_survey():
    """Two segments and a job with three outcomes: (the non-customers segment, the job, its outcomes)."""
    factories.SegmentFactory(name="Customers")
    non_customers = factories.SegmentFactory(name="Non-customers")
    job = factories.JobFactory(name="Plan the weekly shop")
    outcomes = [
        factories.OutcomeFactory(job=job, code=f"PLAN-0{n}", statement=statement)
        for n, statement in enumerate(
            [
                "Minimise the time it takes to write the shopping list",
                "Minimise the chance of forgetting an item",
                "Minimise the cost of the weekly shop",
            ],
            start=1,
        )
    ]
    return non_customers, job, outcomes


def survey_journey(page):
    customer = factories.UserFactory(display_name="Cora Customer")
    non_customers, job, (first, second, third) = weekly_shop_survey()

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(customer.email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Cora Customer")

    # From the surveys list to the job's survey.
    page.goto(reverse("surveys:list"))
    expect(page.get_by_test_id(f"survey-{job.pk}")).to_contain_text("Not started")
    page.get_by_role("link", name="Plan the weekly shop", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan the weekly shop")

    # The segment, and two of the three outcomes; then save for later.
    page.get_by_role("group", name="Which describes you best?").get_by_label("Non-customers").check()
    rate(page, first, "Extremely important", "Not at all satisfied")
    rate(page, second, "Moderately important", "Very satisfied")
    page.get_by_role("button", name="Save and continue later").click()
    expect(page.get_by_role("status")).to_contain_text("2 of 3 outcomes answered")

    # Back on the survey: the answers are there, the segment question is not.
    expect(page.get_by_role("group", name="Which describes you best?")).to_have_count(0)
    first_group = page.get_by_role("group", name=first.statement, exact=True)
    expect(first_group.get_by_label("5 Extremely important")).to_be_checked()
    expect(first_group.get_by_label("1 Not at all satisfied")).to_be_checked()

    # Submitting with one outcome unanswered says which one, and saves nothing more.
    page.get_by_role("button", name="Submit survey").click()
    expect(page.get_by_role("alert").first).to_contain_text("Nothing was saved: please check 1 outcome below.")
    expect(page.get_by_role("group", name=third.statement, exact=True)).to_contain_text(
        "Rate how important this is to you."
    )

    # Change an earlier answer, answer the last outcome, submit.
    rate(page, first, "Very important", "Slightly satisfied")
    rate(page, third, "Extremely important", "Moderately satisfied")
    page.get_by_role("button", name="Submit survey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Surveys")
    expect(page.get_by_role("status")).to_contain_text("Thank you")
    expect(page.get_by_test_id(f"survey-{job.pk}")).to_contain_text("Complete")

    saved = {
        rating.outcome_id: (rating.importance, rating.satisfaction)
        for rating in Rating.objects.filter(respondent__user=customer)
    }
    assert saved == {first.pk: (4, 2), second.pk: (3, 4), third.pk: (5, 3)}
    assert Respondent.objects.get(user=customer).segment == non_customers
