"""manage.py seed_scale at tiny sizes: the sizes asked for, and data as consistent as the services keep it."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F, Q

from challenges.models import Challenge
from ideas.models import Comment, Idea, Status, Vote
from ideas.services.ranking import idea_ranks_refresh
from scoring.models import OutcomeScore, Rating

SIZES = {"users": 60, "challenges": 6, "ideas": 120, "votes": 900, "comments": 300, "ratings": 400}

pytestmark = pytest.mark.postgresql  # seed_scale loads with PostgreSQL COPY


def seed(**options):
    force = options.pop("force", False)
    arguments = [f"--{name}={value}" for name, value in {**SIZES, **options}.items()] + (["--force"] if force else [])
    out = io.StringIO()
    call_command("seed_scale", *arguments, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_seeds_the_sizes_asked_for_with_consistent_data():
    output = seed()
    assert "invariants hold" in output and "Total time" in output

    assert Challenge.objects.count() == SIZES["challenges"]
    assert Idea.objects.count() == SIZES["ideas"]
    assert Vote.objects.count() == SIZES["votes"]
    assert Comment.objects.count() == SIZES["comments"]
    assert Rating.objects.count() == SIZES["ratings"]

    # Vote counters equal the vote rows; comments_count equals the shown comments.
    ideas = Idea.objects.annotate(
        up=Count("votes", filter=Q(votes__value=1), distinct=True),
        down=Count("votes", filter=Q(votes__value=-1), distinct=True),
        shown=Count("comments", filter=Q(comments__removed_at=None, comments__hidden_at=None), distinct=True),
    )
    assert not ideas.exclude(votes_up=F("up"), votes_down=F("down")).exists()
    assert not ideas.exclude(comments_count=F("shown")).exists()
    # One vote per member per idea, none on one's own idea, none on drafts or merged duplicates.
    assert Vote.objects.values("idea", "user").annotate(n=Count("pk")).filter(n__gt=1).count() == 0
    assert not Vote.objects.filter(user=F("idea__author")).exists()
    assert not Vote.objects.filter(idea__status__in=[Status.DRAFT, Status.DUPLICATE]).exists()

    # The funnel is spread, ideas address outcomes of their challenge, challenges are in several phases.
    assert Idea.objects.values("status").distinct().count() >= 5
    assert Challenge.objects.values("phase").distinct().count() >= 4
    assert not Idea.objects.filter(outcomes=None).exists()
    assert not Idea.objects.exclude(outcomes__challenges=F("challenge")).exists()

    # Derived values came from the project's services: scores after the ratings, then ranks.
    assert OutcomeScore.objects.filter(segment=None).exists()
    assert not Idea.objects.filter(ranked_at=None).exists()
    assert Idea.objects.filter(rank_top__gt=0).exists()
    assert Idea.objects.filter(rank_opportunity__gt=0).exists()
    assert Idea.objects.filter(rank_trending__gt=0).exists()
    before = dict(Idea.objects.values_list("pk", "rank_top"))
    idea_ranks_refresh(idea_ids=list(before))
    assert dict(Idea.objects.values_list("pk", "rank_top")) == before  # already what the service computes


@pytest.mark.django_db
def test_refuses_a_database_with_ideas_unless_forced():
    seed(ideas=20, votes=50, comments=10, ratings=50)
    with pytest.raises(CommandError, match="already has ideas"):
        seed()
    seed(force=True)
    assert Idea.objects.count() == SIZES["ideas"]  # emptied first: exactly the sizes asked for


@pytest.mark.django_db
def test_same_seed_same_data():
    seed(ideas=30, votes=100, comments=20, ratings=50)
    first = list(Idea.objects.order_by("pk").values_list("title", "status", "votes_up"))
    seed(ideas=30, votes=100, comments=20, ratings=50, force=True)
    assert list(Idea.objects.order_by("pk").values_list("title", "status", "votes_up")) == first


def test_refuses_sqlite(monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(CommandError, match="needs PostgreSQL"):
        call_command("seed_scale", "--ideas=1")
