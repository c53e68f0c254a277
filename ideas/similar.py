"""Similar ideas: what a customer sees while writing an idea, so they can support one instead.

The same two steps on both databases:

1. **Candidates.** Ideas of the challenge whose title shares at least one significant word with the
   text, or whose problem has them all (stop words left out; "ran" also looks for "run"): on
   PostgreSQL by full-text match (GIN indexes on the title, ideas/0015, and the problem, ideas/0003)
   or a title close by trigrams (pg_trgm, its GIN index of ideas/0003: it forgives a typo); on
   SQLite through the FTS5 index (``ideas.fulltext``). At most ``CANDIDATES``, the closest titles first.
2. **A score, in Python, the same everywhere** (``word_score``): the share of significant stems the
   text and the title have in common (Dice), or ``PROBLEM_MATCH_SCORE`` when the problem mentions every
   word typed. From ``SIMILAR_FROM`` an idea is similar; among those, each word typed that the problem
   or solution mentions adds a little. On PostgreSQL a
   title close by trigrams scores its trigram similarity, if that is higher.

So "Remind me of things I ran out of" finds "Start the list from what we actually ran out of" (run,
out) on either database, and "A budget bar that fills up as you shop" does not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.postgres.lookups import TrigramSimilar, TrigramWordSimilar
from django.contrib.postgres.search import (
    SearchQuery,
    SearchVector,
    SearchVectorExact,
    TrigramSimilarity,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import F, FloatField, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Greatest

from challenges.models import Challenge

from . import fulltext
from .models import Idea, Status
from .selectors import SEARCH_CONFIG, idea_list_for
from .words import IRREGULAR, IRREGULAR_FORMS, STOPWORDS, significant_stems, stem, words_of

if TYPE_CHECKING:
    from accounts.types import Visitor

# The score of an idea whose problem mentions every significant word typed (two or more), whatever
# its title (a solution often names what other ideas solve too).
PROBLEM_MATCH_SCORE = 0.35
# In the order of similar ideas: what the words typed that the problem or solution mention add (at
# most this, for all of them).
BODY_WORDS_WEIGHT = 0.1
# From this score an idea is similar.
SIMILAR_FROM = 0.3
# PostgreSQL: a title this close by trigrams (pg_trgm's own thresholds) is similar too.
TRIGRAM_SIMILAR_FROM = 0.3
TRIGRAM_WORD_SIMILAR_FROM = 0.6
# At most this many candidates are scored.
CANDIDATES = 100
# Shorter text than this finds nothing: a letter or two would match everything.
MIN_TEXT_LENGTH = 4
MAX_TEXT_LENGTH = 200


def similar_ideas(
    *, user: Visitor, challenge: Challenge, text: str, exclude_id: int | None = None, limit: int = 5
) -> list[Idea]:
    """Up to ``limit`` published ideas of this challenge that the user may see, most similar to ``text`` first.

    Drafts, withdrawn ideas, merged duplicates and ideas of other challenges never appear.
    """
    text = " ".join(text.split())[:MAX_TEXT_LENGTH]
    if len(text) < MIN_TEXT_LENGTH or limit < 1:
        return []
    visible = idea_list_for(user).published().filter(challenge=challenge).exclude(status=Status.DUPLICATE)
    if exclude_id is not None:
        visible = visible.exclude(pk=exclude_id)
    # Scored without their outcomes; the few shown are read again with everything the panel shows.
    candidates = visible.prefetch_related(None)
    stems = significant_stems(text)
    words = _query_words(text)
    if connection.vendor == "postgresql":
        found = _candidates_postgresql(candidates, text, words, every=_significant_words(text))
    elif words:
        found = _candidates_sqlite(candidates, words)
    else:
        return []
    scored = []
    for idea in found:
        score, body_share = word_score(stems, idea)
        score = max(score, _trigram_score(idea, words_typed=len(stems)))
        if score >= SIMILAR_FROM:
            # The words the problem and solution share only order the similar ones, never make one.
            idea.similarity = score + BODY_WORDS_WEIGHT * body_share
            scored.append(idea)
    scored.sort(key=lambda idea: (-idea.similarity, -getattr(idea, "title_similarity", 0.0), -idea.pk))
    chosen = scored[:limit]
    if not chosen:
        return []
    shown = {idea.pk: idea for idea in visible.filter(pk__in=[idea.pk for idea in chosen])}
    for idea in chosen:
        shown[idea.pk].similarity = idea.similarity
    return [shown[idea.pk] for idea in chosen]


def word_score(stems: list[str], idea: Idea) -> tuple[float, float]:
    """How similar the idea is to text with these significant stems (``ideas.words.significant_stems``):
    (the score, 0 to 1, that decides; the share of the stems its problem or solution mention, for the
    order, 0 where the score is under ``SIMILAR_FROM``). The problem and solution are read only when
    the title does not decide: most candidates cost one title's words."""
    if not stems:
        return 0.0, 0.0
    typed = set(stems)
    title = set(significant_stems(idea.title))
    score = 2 * len(typed & title) / (len(typed) + len(title)) if title else 0.0
    problem: set[str] | None = None
    if score < PROBLEM_MATCH_SCORE and len(typed) >= 2:
        problem = set(significant_stems(idea.problem))
        if typed <= problem:
            score = PROBLEM_MATCH_SCORE
    if score < SIMILAR_FROM:
        return score, 0.0
    if problem is None:
        problem = set(significant_stems(idea.problem))
    body = problem | set(significant_stems(idea.solution))
    return score, len(typed & body) / len(typed)


def _query_words(text: str) -> list[str]:
    """The words the index is asked for: the significant ones, with an irregular form's base and a
    base's irregular forms too ("ran" and "run": neither stemmer makes one of the other)."""
    words = _significant_words(text)
    words += [IRREGULAR[word] for word in words if word in IRREGULAR]
    words += [form for word in words for form in IRREGULAR_FORMS.get(stem(word), ())]
    return list(dict.fromkeys(words))


def _significant_words(text: str) -> list[str]:
    return [word for word in words_of(text) if len(word) > 1 and word not in STOPWORDS and not word.isdigit()]


def _candidates_sqlite(candidates: QuerySet[Idea], words: list[str]) -> list[Idea]:
    any_word = " OR ".join(f'"{word}"' for word in words)  # words are letters and digits: no FTS5 syntax
    return list(candidates.filter(pk__in=RawSQL(fulltext.MATCHING_IDS, [any_word])).order_by("-id")[:CANDIDATES])


def _candidates_postgresql(candidates: QuerySet[Idea], text: str, words: list[str], *, every: list[str]) -> list[Idea]:
    # Each condition has its GIN index, so none computes a vector or trigrams for every idea of the
    # challenge: `title % text` and `title %> text` the trigram index, a problem with every word
    # `idea_problem_fts` (both ideas/0003), a title with any word `idea_title_fts` (ideas/0015). The
    # whole search document instead (0007's) was recomputed for each of a challenge's 4,700 ideas:
    # 0.6 s. The closest titles first; ts_rank would compute every match's vector again.
    title_similarity = TrigramSimilarity("title", Value(text))
    title_word_similarity = TrigramWordSimilarity(Value(text), "title")
    matches = Q(TrigramSimilar(F("title"), Value(text))) | Q(TrigramWordSimilar(F("title"), Value(text)))
    if words:
        any_word = SearchQuery(words[0], config=SEARCH_CONFIG)
        for word in words[1:]:
            any_word |= SearchQuery(word, config=SEARCH_CONFIG)
        matches |= Q(SearchVectorExact(SearchVector("title", config=SEARCH_CONFIG), any_word))
        if len(every) >= 2:
            every_word = SearchQuery(" ".join(every), config=SEARCH_CONFIG)
            matches |= Q(SearchVectorExact(SearchVector("problem", config=SEARCH_CONFIG), every_word))
    return list(
        candidates.filter(matches)
        .annotate(title_similarity=title_similarity, title_word_similarity=title_word_similarity)
        .order_by(
            Greatest(F("title_similarity"), F("title_word_similarity"), output_field=FloatField()).desc(),
            "-id",
        )[:CANDIDATES]
    )


def _trigram_score(idea: Idea, *, words_typed: int) -> float:
    """PostgreSQL: the title's trigram similarity where pg_trgm counts it as similar (else 0). The text
    found within a title counts from two significant words: one word alone ("voice") is a topic, not
    an idea."""
    similarity = getattr(idea, "title_similarity", 0.0)
    if similarity >= TRIGRAM_SIMILAR_FROM:
        return similarity
    word_similarity = getattr(idea, "title_word_similarity", 0.0)
    return word_similarity if word_similarity >= TRIGRAM_WORD_SIMILAR_FROM and words_typed >= 2 else 0.0
