"""Search as customers and staff type it, on both databases (this file runs on PostgreSQL in
``./dev.sh test`` and on SQLite in ``./dev.sh test-sqlite``): every word in any order, other forms of a
word (plurals, -ing, -ed), stop words ignored, web search syntax; the same on the idea list, the
API's list and the triage queue. The tests marked ``sqlite`` are about the FTS5 index itself."""

import pytest
from django.db import connection
from django.urls import reverse

from ideas import fulltext
from ideas.models import Idea
from ideas.selectors import idea_list_search
from ideas.words import search_terms, significant_stems, stem, substring_of
from reviews.selectors import triage_search
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf(open_challenge):
    """Ideas a search must tell apart."""

    def make(key, title, problem="Planning the weekly shop takes too long.", solution="Make it quicker."):
        return key, factories.IdeaFactory(challenge=open_challenge, title=title, problem=problem, solution=solution)

    return dict(
        [
            make("budget", "A budget bar that fills up as you shop"),
            make("reminder", "Reminder for things we ran out of", solution="A reminder when the milk runs low."),
            make("lists", "Shared shopping lists for the household"),
            make("lockers", "Delivery lockers at the train station", problem="Nobody is home when the van comes."),
            make("weekly", "Weekly budgets per household", solution="Set one budget and see it fill."),
        ]
    )


def found(text: str) -> set[str]:
    titles = set(idea_list_search(Idea.objects.all(), text).values_list("title", flat=True))
    return titles


def titles(shelf, *keys) -> set[str]:
    return {shelf[key].title for key in keys}


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("budget", ["budget", "weekly"]),
        ("budgets", ["budget", "weekly"]),  # the plural finds the singular, and the other way round
        ("Budgets", ["budget", "weekly"]),
        ("reminders", ["reminder"]),
        ("list", ["lists"]),
        ("lists", ["lists"]),
        ("station", ["lockers"]),
        ("stations lockers", ["lockers"]),  # every word, in any order
        ("train delivery", ["lockers"]),
        ("household budget", ["weekly"]),
        ("budget household", ["weekly"]),
        ("the budgets of a household", ["weekly"]),  # stop words do not have to be there
        ("budget station", []),  # every word: no idea has both
        ("milk runs", ["reminder"]),  # the solution is searched too
        ("running", ["reminder"]),
        ('"train station"', ["lockers"]),  # a quoted phrase
        ('"station train"', []),
        ("lockers or lists", ["lockers", "lists"]),
        ("budget -household", ["budget"]),
        ("household -budgets", ["lists"]),
        ("locker's", ["lockers"]),  # punctuation is never syntax
        ('budget" OR (', ["budget", "weekly"]),
    ],
)
def test_the_list_search_matches_every_word_in_any_form_and_order(shelf, text, keys):
    assert found(text) == titles(shelf, *keys), connection.vendor


def test_only_stop_words_find_nothing_on_either_database(shelf):
    assert found("the of and") == set()
    assert found("   ") == {idea.title for idea in shelf.values()}  # no search: everything


def test_the_list_page_and_the_api_search_alike(client, shelf):
    page = client.get(reverse("ideas:list"), {"q": "household budgets"})
    assert page.status_code == 200
    assert [idea.pk for idea in page.context["page"].object_list] == [shelf["weekly"].pk]
    api = client.get("/api/v1/ideas/", {"q": "budgets household"})
    assert api.status_code == 200, api.content
    assert [row["id"] for row in api.json()["results"]] == [shelf["weekly"].pk]


def test_the_triage_queue_finds_other_forms_of_a_word_in_any_order(shelf):
    queue = Idea.objects.all()
    assert set(triage_search(queue, "budgets").values_list("pk", flat=True)) == {
        shelf["budget"].pk,
        shelf["weekly"].pk,
    }
    assert list(triage_search(queue, "households weekly").values_list("pk", flat=True)) == [shelf["weekly"].pk]
    assert list(triage_search(queue, "the reminders").values_list("pk", flat=True)) == [shelf["reminder"].pk]
    author = shelf["lists"].author
    assert list(triage_search(queue, f"lists {author.email}").values_list("pk", flat=True)) == [shelf["lists"].pk]


def test_the_triage_queue_page_searches_with_plurals(client_for, triage, shelf):
    response = client_for(triage).get(reverse("admin:reviews_triageidea_changelist"), {"q": "lockers stations"})
    assert response.status_code == 200
    assert [idea.pk for idea in response.context["cl"].result_list] == [shelf["lockers"].pk]


def test_the_ideas_admin_and_the_merge_picker_find_plurals(client_for, triage, shelf):
    response = client_for(triage).get(reverse("admin:ideas_idea_changelist"), {"q": "budgets"})
    assert {idea.pk for idea in response.context["cl"].result_list} == {shelf["budget"].pk, shelf["weekly"].pk}


# --- the words themselves -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("forms", "same"),
    [
        (["budget", "budgets"], True),
        (["reminder", "reminders"], True),
        (["list", "lists"], True),
        (["run", "runs", "running", "ran"], True),
        (["delivery", "deliveries", "delivered"], True),
        (["box", "boxes"], True),
        (["shop", "shopping", "shopped"], True),
        (["plan", "planned", "planning"], True),
        (["thing", "things"], True),
        (["bus", "buses"], True),
        (["list", "lost"], False),
        (["station", "stationery"], False),
        (["string", "str"], False),
    ],
)
def test_the_light_stemmer(forms, same):
    assert (len({stem(word) for word in forms}) == 1) is same


def test_a_stem_for_a_substring_search_starts_the_word():
    for word in ["budgets", "deliveries", "running", "planned", "boxes", "Lockers", "james", "used"]:
        assert word.lower().startswith(substring_of(word).lower())
    assert substring_of("ran") == "ran"  # an irregular base is no substring of it


def test_significant_stems_leave_out_stop_words_but_keep_run_out():
    assert significant_stems("Remind me of things I ran out of") == ["remind", "thing", "run", "out"]
    assert significant_stems("The 2 of us") == []


def test_the_search_syntax_is_parsed_once():
    terms = search_terms('budgets "train station" lockers or lists -old -"big van" the')
    assert terms.groups == [[("budgets",)], [("train", "station")], [("lockers",), ("lists",)]]
    assert terms.excluded == [("old",), ("big", "van")]
    assert not search_terms("the of")


# --- SQLite: the FTS5 index stays in step -------------------------------------------------------------


@pytest.mark.sqlite
def test_the_index_follows_every_write(open_challenge):
    idea = factories.IdeaFactory(challenge=open_challenge, title="Parcel lockers")
    assert found("parcels") == {"Parcel lockers"}
    Idea.objects.filter(pk=idea.pk).update(title="Cargo bikes")  # a bulk update, as the admin or a migration
    assert found("parcel") == set() and found("bikes cargo") == {"Cargo bikes"}
    Idea.objects.filter(pk=idea.pk).update(votes_up=5)  # not a text column: the index is not touched
    assert found("cargo") == {"Cargo bikes"}
    idea.delete()
    assert found("cargo") == set()


@pytest.mark.sqlite
def test_a_rebuilt_ideas_table_gets_its_triggers_and_index_back(open_challenge):
    """Django rebuilds a SQLite table for some migrations, which drops its triggers: after migrate,
    ``sqlite_index_ensure`` (post_migrate) puts them back and reindexes what was written meanwhile."""
    factories.IdeaFactory(challenge=open_challenge, title="Parcel lockers")
    with connection.cursor() as cursor:
        for name in fulltext.TRIGGERS:
            cursor.execute(f"DROP TRIGGER {name}")
    late = factories.IdeaFactory(challenge=open_challenge, title="Cargo bikes")  # written without triggers
    assert found("cargo") == set()
    assert fulltext.sqlite_index_ensure(connection) is True
    assert found("cargo") == {late.title} and found("parcel") == {"Parcel lockers"}
    assert fulltext.sqlite_index_ensure(connection) is False  # all there: nothing to do


@pytest.mark.sqlite
def test_the_index_is_read_by_match_not_a_scan(open_challenge):
    sql, params = idea_list_search(Idea.objects.all(), "lockers").values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "VIRTUAL TABLE INDEX" in plan and fulltext.TABLE in plan, plan


@pytest.mark.postgresql
def test_postgresql_keeps_its_indexed_websearch(shelf):
    """The list search on PostgreSQL is still ``websearch_to_tsquery`` on the document ideas/0007 indexes."""
    sql, params = idea_list_search(Idea.objects.all(), "budgets household").values("pk").query.sql_with_params()
    assert "websearch_to_tsquery" in sql and "setweight" in sql
    assert fulltext.TABLE not in sql


# --- similar ideas, on both databases -----------------------------------------------------------------


@pytest.fixture
def planning_ideas(open_challenge):
    """The demo's planning ideas, as customers wrote them."""
    rows = [
        (
            "Start the list from what we actually ran out of",
            "Every Sunday I rebuild the list from memory and by opening cupboards.",
            "Start each week's basket with a suggested list built from how often we buy things.",
        ),
        (
            "A budget bar that fills up as you shop",
            "I only see the total at checkout. Taking things out at the end is tedious.",
            "Let me set a weekly budget and show a bar that fills as the basket grows.",
        ),
        (
            "A household list everyone can add to, even by voice",
            "The kids finish the cereal and nobody tells me. By the time I shop, nobody remembers what ran out.",
            "A shared household list that anyone can add to from their own phone.",
        ),
        (
            "Dietary filters that remember each person at home",
            "In our house one person is coeliac and one is vegetarian.",
            "Let each person set what they cannot eat.",
        ),
        (
            "Delivery lockers at the train station",
            "Nobody is home when the van comes.",
            "Put temperature-controlled lockers at train stations.",
        ),
    ]
    return {
        title: factories.IdeaFactory(challenge=open_challenge, title=title, problem=problem, solution=solution)
        for title, problem, solution in rows
    }


def similar_titles(user, challenge, text) -> list[str]:
    from ideas.similar import similar_ideas

    return [idea.title for idea in similar_ideas(user=user, challenge=challenge, text=text)]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        # The example: "ran out" is the point, in other words and another order.
        ("Remind me of things I ran out of", ["Start the list from what we actually ran out of"]),
        ("Reminders when we run out", ["Start the list from what we actually ran out of"]),
        ("Lists of what ran out", ["Start the list from what we actually ran out of"]),
        ("Budgets that fill up", ["A budget bar that fills up as you shop"]),
        ("A bar showing the budget", ["A budget bar that fills up as you shop"]),
        ("Lockers at stations", ["Delivery lockers at the train station"]),
        ("Station lockers for deliveries", ["Delivery lockers at the train station"]),
        # Negatives: sharing stop words, a word of the problem, or nothing, is not similar.
        ("What is the point of it all", []),
        ("Recipes for one person", []),
        ("Cheaper coffee at the checkout", []),
        ("Things we do at home", []),
        ("Voice", []),
    ],
)
def test_similar_ideas_find_obvious_matches_and_not_others(customer, open_challenge, planning_ideas, typed, expected):
    assert similar_titles(customer, open_challenge, typed)[: len(expected) or None] == expected, connection.vendor
    if not expected:
        assert similar_titles(customer, open_challenge, typed) == []


def test_similar_ideas_rank_the_closest_title_first(customer, open_challenge, planning_ideas):
    factories.IdeaFactory(
        challenge=open_challenge,
        title="Tell me when things run out",
        problem="We run out of milk on Sundays.",
        solution="A reminder.",
    )
    found = similar_titles(customer, open_challenge, "Remind me of things I ran out of")
    assert found == ["Tell me when things run out", "Start the list from what we actually ran out of"]


def test_similar_ideas_by_a_problem_that_mentions_every_word_on_both_databases(customer, open_challenge):
    match = factories.IdeaFactory(
        challenge=open_challenge, title="Pick up at the commute", problem="We want lockers at each train station."
    )
    factories.IdeaFactory(challenge=open_challenge, title="Pick up at work", problem="Lockers in the office.")
    assert similar_titles(customer, open_challenge, "Lockers at train stations") == [match.title]


@pytest.mark.postgresql
def test_the_title_condition_of_similar_ideas_is_the_expression_its_index_holds():
    """ideas/0015: similar ideas ask ``to_tsvector('english', COALESCE(title, '')) @@ …`` (ideas.similar);
    with sequential scans off the planner reads it through ``idea_title_fts``, so the two agree."""
    from django.contrib.postgres.search import SearchQuery, SearchVector, SearchVectorExact
    from django.db.models import Q

    condition = SearchVectorExact(SearchVector("title", config="english"), SearchQuery("remind", config="english"))
    sql, params = Idea.objects.filter(Q(condition)).values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        for scan in ("seqscan", "indexscan", "indexonlyscan"):
            cursor.execute(f"SET LOCAL enable_{scan} = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "idea_title_fts" in plan, plan
