"""Similar ideas: what a customer sees while writing an idea, so they can support one instead.

The same two steps on both databases:

1. **Candidates, through an index.** Ideas of the challenge that share at least one significant word
   with the text (stop words left out; "ran" also looks for "run"): on PostgreSQL the GIN-indexed
   search document (ideas/0007) or a title close by trigrams (pg_trgm, ideas/0003: it forgives a
   typo); on SQLite the FTS5 index (``ideas.fulltext``). At most ``CANDIDATES``, best first.
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
from django.contrib.postgres.search import SearchQuery, TrigramSimilarity, TrigramWordSimilarity
from django.db import connection
from django.db.models import F, FloatField, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Greatest

from challenges.models import Challenge

from . import fulltext
from .models import Idea, Status
from .selectors import SEARCH_CONFIG, idea_list_for, search_document
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
CANDIDATES = 300
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
    candidates = idea_list_for(user).published().filter(challenge=challenge).exclude(status=Status.DUPLICATE)
    if exclude_id is not None:
        candidates = candidates.exclude(pk=exclude_id)
    stems = significant_stems(text)
    words = _query_words(text)
    if connection.vendor == "postgresql":
        found = _candidates_postgresql(candidates, text, words)
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
    return scored[:limit]


def word_score(stems: list[str], idea: Idea) -> tuple[float, float]:
    """How similar the idea is to text with these significant stems (``ideas.words.significant_stems``):
    (the score, 0 to 1, that decides; the share of the stems its problem or solution mention, for the order)."""
    if not stems:
        return 0.0, 0.0
    typed = set(stems)
    title = set(significant_stems(idea.title))
    problem = set(significant_stems(idea.problem))
    body = problem | set(significant_stems(idea.solution))
    score = 2 * len(typed & title) / (len(typed) + len(title)) if title else 0.0
    if len(typed) >= 2 and typed <= problem:
        score = max(score, PROBLEM_MATCH_SCORE)
    return score, len(typed & body) / len(typed)


def _query_words(text: str) -> list[str]:
    """The words the index is asked for: the significant ones, with an irregular form's base and a
    base's irregular forms too ("ran" and "run": neither stemmer makes one of the other)."""
    words = [word for word in words_of(text) if len(word) > 1 and word not in STOPWORDS and not word.isdigit()]
    words += [IRREGULAR[word] for word in words if word in IRREGULAR]
    words += [form for word in words for form in IRREGULAR_FORMS.get(stem(word), ())]
    return list(dict.fromkeys(words))


def _candidates_sqlite(candidates: QuerySet[Idea], words: list[str]) -> list[Idea]:
    any_word = " OR ".join(f'"{word}"' for word in words)  # words are letters and digits: no FTS5 syntax
    return list(candidates.filter(pk__in=RawSQL(fulltext.MATCHING_IDS, [any_word])).order_by("-id")[:CANDIDATES])


def _candidates_postgresql(candidates: QuerySet[Idea], text: str, words: list[str]) -> list[Idea]:
    # `title % text` and `title %> text` can use the GIN trigram index (ideas/0003); the document's
    # `@@` its GIN index (ideas/0007). The closest titles first; a
    # ts_rank would compute every matching idea's document again, so the others come newest first.
    title_similarity = TrigramSimilarity("title", Value(text))
    title_word_similarity = TrigramWordSimilarity(Value(text), "title")
    matches = Q(TrigramSimilar(F("title"), Value(text))) | Q(TrigramWordSimilar(F("title"), Value(text)))
    if words:
        any_word = SearchQuery(words[0], config=SEARCH_CONFIG)
        for word in words[1:]:
            any_word |= SearchQuery(word, config=SEARCH_CONFIG)
        candidates = candidates.alias(document=search_document())
        matches |= Q(document=any_word)
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
