"""Similar ideas: what a customer sees while writing an idea, so they can support one instead.

On PostgreSQL the title is compared by trigram similarity (pg_trgm, with the GIN trigram index
of migration 0003), and an idea whose problem mentions every significant word typed counts as a
borderline match. Elsewhere (SQLite, the embedded default) a simple fallback compares the
significant words of the titles.
"""

import re

from django.contrib.postgres.lookups import TrigramSimilar, TrigramWordSimilar
from django.contrib.postgres.search import (
    SearchQuery,
    SearchVector,
    SearchVectorExact,
    TrigramSimilarity,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import Case, ExpressionWrapper, F, FloatField, Q, QuerySet, Value, When
from django.db.models.functions import Greatest

from challenges.models import Challenge

from .models import Idea, Status
from .selectors import idea_list_for

# The score of an idea whose problem mentions every significant word typed, but whose title differs.
PROBLEM_MATCH_SCORE = 0.35
# The fallback: share of significant words in common (Dice coefficient) from which titles are similar.
WORDS_THRESHOLD = 0.3
# The fallback ranks at most this many candidate ideas in Python.
FALLBACK_CANDIDATES = 300
# Shorter text than this finds nothing: a letter or two would match everything.
MIN_TEXT_LENGTH = 4
MAX_TEXT_LENGTH = 200

STOPWORDS = frozenset(
    re.findall(
        r"\w+",
        """
        a about after all also an and any are as at be been but by can could do does for from get had has
        have how i if in into is it its just let make more most my no not of on one or our out over so some
        than that the their them then there these they this to too up us use via was we were what when where
        which while who why will with would you your
        """,
    )
)


def significant_words(text: str) -> list[str]:
    """Lower-case words of three letters or more that are not stop words, with a plural s taken off."""
    words = []
    for word in re.findall(r"\w+", text.lower()):
        if len(word) < 3 or word in STOPWORDS or word.isdigit():
            continue
        if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        words.append(word)
    return list(dict.fromkeys(words))


def similar_ideas(
    *, user, challenge: Challenge, text: str, exclude_id: int | None = None, limit: int = 5
) -> list[Idea]:
    """Up to ``limit`` published ideas of this challenge that the user may see, most similar to ``text`` first.

    Drafts, withdrawn ideas, merged duplicates and ideas of other challenges never appear.
    """
    text = " ".join(text.split())[:MAX_TEXT_LENGTH]
    if len(text) < MIN_TEXT_LENGTH or limit < 1:
        return []
    candidates = idea_list_for(user).published().filter(challenge=challenge).exclude(status=Status.DUPLICATE)
    if exclude_id is not None:
        candidates = candidates.exclude(pk=exclude_id)
    if connection.vendor == "postgresql":
        return _similar_by_trigrams(candidates, text, limit)
    return _similar_by_words(candidates, text, limit)


def _similar_by_trigrams(candidates: QuerySet[Idea], text: str, limit: int) -> list[Idea]:
    # `title % text` (similarity above pg_trgm.similarity_threshold, 0.3) and `title %> text` (the text
    # found within the title: word_similarity above pg_trgm.word_similarity_threshold, 0.6) can use
    # the GIN trigram index; the score orders the matches.
    matches = Q(TrigramSimilar(F("title"), Value(text))) | Q(TrigramWordSimilar(F("title"), Value(text)))
    score = Greatest(TrigramSimilarity("title", Value(text)), TrigramWordSimilarity(Value(text), "title"))
    words = significant_words(text)
    if len(words) >= 2:
        # Every significant word typed is in the problem (English stemming): similar, even with another title.
        in_problem = SearchVectorExact(
            SearchVector("problem", config="english"), SearchQuery(" ".join(words), config="english")
        )
        matches |= Q(in_problem)
        score = Greatest(score, Case(When(in_problem, then=Value(PROBLEM_MATCH_SCORE)), default=Value(0.0)))
    return list(
        candidates.filter(matches)
        .annotate(
            similarity=ExpressionWrapper(score, output_field=FloatField()),
            title_similarity=TrigramSimilarity("title", Value(text)),
        )
        # Among titles that contain the text alike, the closest whole title first.
        .order_by("-similarity", "-title_similarity", "-id")[:limit]
    )


def _similar_by_words(candidates: QuerySet[Idea], text: str, limit: int) -> list[Idea]:
    """The fallback: titles sharing significant words (a word may be the start of another: "lock", "lockers")."""
    words = significant_words(text)
    if not words:
        return []
    contains_a_word = Q()
    for word in words:
        contains_a_word |= Q(title__icontains=word)
    scored = []
    for idea in candidates.filter(contains_a_word).order_by("-id")[:FALLBACK_CANDIDATES]:
        title_words = significant_words(idea.title)
        shared = sum(1 for word in words if any(_same_word(word, other) for other in title_words))
        score = 2 * shared / (len(words) + len(title_words)) if title_words else 0.0
        if score >= WORDS_THRESHOLD:
            idea.similarity = score
            scored.append(idea)
    scored.sort(key=lambda idea: (-idea.similarity, -idea.pk))
    return scored[:limit]


def _same_word(typed: str, other: str) -> bool:
    return (
        typed == other or (len(typed) >= 3 and other.startswith(typed)) or (len(other) >= 3 and typed.startswith(other))
    )
