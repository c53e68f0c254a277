"""Form fields' help and errors are linked to them, and a failed submit starts with an error summary.

Django 5.2 renders each widget with ``aria-describedby="<id>_helptext <id>_error"`` (when the field
has help or errors; ``BoundField.aria_describedby``) and ``aria-invalid`` on errors; the portal's
templates must give the help and the errors exactly those ids, or a screen reader reads neither.
These tests read the rendered HTML, so they hold for whatever fields a form has later.
"""

from html.parser import HTMLParser

import pytest
from django.urls import reverse


class _Elements(HTMLParser):
    """Every element's attributes and the text inside each element with an id."""

    def __init__(self):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.text_by_id: dict[str, str] = {}
        self._open_ids: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        if attributes.get("id") and tag not in {"input", "img", "br", "meta", "link"}:
            self._open_ids.append((tag, attributes["id"]))
            self.text_by_id.setdefault(attributes["id"], "")

    def handle_endtag(self, tag):
        for index in range(len(self._open_ids) - 1, -1, -1):
            if self._open_ids[index][0] == tag:
                del self._open_ids[index]
                break

    def handle_data(self, data):
        for _tag, element_id in self._open_ids:
            self.text_by_id[element_id] += data


def parse(response) -> _Elements:
    parser = _Elements()
    parser.feed(response.content.decode())
    return parser


def ids_of(page: _Elements) -> list[str]:
    return [attributes["id"] for _tag, attributes in page.elements if attributes.get("id")]


def dangling_references(page: _Elements) -> list[str]:
    """Every aria-describedby / aria-labelledby naming an id that is not on the page."""
    ids = set(ids_of(page))
    missing = []
    for tag, attributes in page.elements:
        for attribute in ("aria-describedby", "aria-labelledby"):
            for reference in (attributes.get(attribute) or "").split():
                if reference not in ids:
                    missing.append(f"<{tag} id={attributes.get('id')!r}> {attribute} → {reference}")
    return missing


def field(page: _Elements, name: str) -> dict:
    return next(attributes for _tag, attributes in page.elements if attributes.get("name") == name)


@pytest.fixture
def signed_in(client, customer):
    client.force_login(customer)
    return client


def test_the_idea_forms_help_is_under_the_id_its_field_names(signed_in, open_challenge):
    page = parse(signed_in.get(reverse("challenges:submit", args=[open_challenge.slug])))
    title = field(page, "title")
    assert title["aria-describedby"] == "id_title_helptext"
    assert "at most 120 characters" in page.text_by_id["id_title_helptext"]
    assert "aria-invalid" not in title
    # The outcomes are a group of checkboxes: the fieldset carries the help, Django's inputs do not.
    fieldsets = [attributes for tag, attributes in page.elements if tag == "fieldset"]
    assert any(attributes.get("aria-describedby") == "id_outcomes_helptext" for attributes in fieldsets)
    assert dangling_references(page) == []
    assert (
        "error-summary" not in signed_in.get(reverse("challenges:submit", args=[open_challenge.slug])).content.decode()
    )


def test_a_failed_submit_links_each_error_to_its_field_and_starts_with_a_summary(signed_in, open_challenge):
    url = reverse("challenges:submit", args=[open_challenge.slug])
    response = signed_in.post(url, {"title": "", "problem": "", "solution": "", "action": "submit"})
    assert response.status_code == 400  # the form again, with what to fix
    page = parse(response)
    assert dangling_references(page) == []
    duplicated = {element_id for element_id in ids_of(page) if ids_of(page).count(element_id) > 1}
    assert duplicated == set()

    title = field(page, "title")
    assert title["aria-describedby"].split() == ["id_title_helptext", "id_title_error"]
    assert title["aria-invalid"] == "true"
    assert "Give your idea a short title" in page.text_by_id["id_title_error"]
    outcomes_group = next(
        attributes
        for tag, attributes in page.elements
        if tag == "fieldset" and "id_outcomes_error" in (attributes.get("aria-describedby") or "")
    )
    assert outcomes_group["aria-describedby"].split() == ["id_outcomes_helptext", "id_outcomes_error"]
    assert "Choose at least one outcome" in page.text_by_id["id_outcomes_error"]

    # The summary: focusable by script-free autofocus, named by its title, one link per error.
    summary = next(
        attributes for tag, attributes in page.elements if "error-summary" in (attributes.get("class") or "")
    )
    assert summary["tabindex"] == "-1"
    assert "autofocus" in summary
    # The four fields, and what the submission lacks as a whole (ideas.rules.submission_gaps).
    assert "5 problems" in page.text_by_id[summary["aria-labelledby"]]
    text = page.text_by_id[summary["id"]]
    for error in ("Give your idea a short title", "Describe the problem", "Describe your proposed solution"):
        assert error in text
    links = [
        attributes["href"]
        for tag, attributes in page.elements
        if tag == "a" and attributes.get("href", "").startswith("#id_")
    ]
    assert links == ["#id_title", "#id_problem", "#id_solution", "#id_outcomes_0"]
    assert {link[1:] for link in links} <= set(ids_of(page))
    # Only one element on the page asks for the focus.
    assert sum("autofocus" in attributes for _tag, attributes in page.elements) == 1


def test_an_empty_comment_is_refused_with_its_error_linked_to_the_field(signed_in, idea):
    response = signed_in.post(reverse("ideas:comment", args=[idea.pk]), {"body": ""})
    assert response.status_code == 400
    page = parse(response)
    assert dangling_references(page) == []
    invalid = [attributes for _tag, attributes in page.elements if attributes.get("aria-invalid") == "true"]
    assert len(invalid) == 1
    error_id = next(reference for reference in invalid[0]["aria-describedby"].split() if reference.endswith("_error"))
    assert page.text_by_id[error_id].strip()
    summary = next(
        attributes for tag, attributes in page.elements if "error-summary" in (attributes.get("class") or "")
    )
    assert page.text_by_id[error_id].strip() in page.text_by_id[summary["id"]]


@pytest.mark.parametrize(
    "url_name",
    ["profile", "privacy:delete", "api_tokens:list", "notifications:preferences"],
)
def test_a_members_form_pages_name_only_ids_that_exist(signed_in, url_name):
    response = signed_in.get(reverse(url_name))
    assert response.status_code == 200
    page = parse(response)
    assert dangling_references(page) == []


def test_the_profile_form_sent_wrong_shows_the_summary_and_linked_errors(signed_in, customer):
    response = signed_in.post(reverse("profile"), {"display_name": "x" * 500})
    page = parse(response)
    assert dangling_references(page) == []
    if response.status_code in (200, 400) and "error-summary" in response.content.decode():
        name = field(page, "display_name")
        assert "id_display_name_error" in name["aria-describedby"].split()
        assert name["aria-invalid"] == "true"
    else:
        pytest.fail(f"a 500-character display name was accepted ({response.status_code})")


def test_the_idea_lists_filter_names_its_errors(client, open_challenge):
    response = client.get(reverse("ideas:list"), {"status": "no-such-status"})
    page = parse(response)
    assert dangling_references(page) == []
