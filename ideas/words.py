"""Words of a search or a title, the same way everywhere: stop words, a light English stemmer, and the
list search's syntax ("quoted phrase", or, -word) parsed once.

Pure: no models, no queries. Used by the idea lists' search on SQLite (``ideas.fulltext``), by similar
ideas (``ideas.similar``) on both databases and by the triage queue's search (``reviews.selectors``).
PostgreSQL's list search stems with its own ``english`` configuration (Snowball); this stemmer is
lighter and keeps what matters for short titles: plurals, -ing and -ed, a few irregular verbs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

WORD_RE = re.compile(r"\w+")

# Words too common to say what an idea is about. "out", "up", "off" are not among them: in "ran out",
# "top up", "drop off" they carry the meaning.
STOPWORDS = frozenset(
    WORD_RE.findall(
        """
    a about after all also am an and any are as at be been but by can could do does for from get got had
    has have how i if in into is it its just let me more most my no not of on one or our over so some than
    that the their them then there these they this to too us use via was we were what when where which
    while who why will with would you your
    """
    )
)

# The irregular forms a customer is likely to type, to their base: "ran out" is "run out".
IRREGULAR = {
    "ran": "run",
    "bought": "buy",
    "brought": "bring",
    "went": "go",
    "gone": "go",
    "ate": "eat",
    "eaten": "eat",
    "forgot": "forget",
    "forgotten": "forget",
    "left": "leave",
    "paid": "pay",
    "sent": "send",
    "sold": "sell",
    "took": "take",
    "taken": "take",
    "children": "child",
    "people": "person",
    "women": "woman",
    "men": "man",
}

# A base's irregular forms: "run" → ("ran",).
IRREGULAR_FORMS: dict[str, tuple[str, ...]] = {}
for _form, _base in IRREGULAR.items():
    IRREGULAR_FORMS[_base] = (*IRREGULAR_FORMS.get(_base, ()), _form)

_VOWELS = frozenset("aeiouy")
_NO_UNDOUBLE = frozenset("lsz")  # "filled" is "fill", "missed" is "miss"


def stem(word: str) -> str:
    """The light English stem of one lower-case word: "budgets" and "budget" → "budget", "reminders" →
    "reminder", "deliveries" and "delivery" → "deliver", "running" and "ran" → "run".

    Apart from the irregular forms, the stem is the start of the word (a prefix), so a substring
    search for the stem also finds the word's other forms.
    """
    if word in IRREGULAR:
        return IRREGULAR[word]
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3]
    elif word.endswith("es") and word[:-2].endswith(("sh", "ch", "x", "z", "ss")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        base = word[: -len(suffix)]
        if word.endswith(suffix) and len(base) >= 3 and _VOWELS & set(base):
            word = _undouble(base)
            break
    if len(word) > 3 and word.endswith("y") and word[-2] not in _VOWELS:
        word = word[:-1]
    if len(word) > 3 and word.endswith("e") and not word.endswith("ee"):
        word = word[:-1]
    return word


def _undouble(base: str) -> str:
    if len(base) >= 4 and base[-1] == base[-2] and base[-1] not in _VOWELS | _NO_UNDOUBLE:
        return base[:-1]
    return base


def words_of(text: str) -> list[str]:
    """The lower-case words of ``text`` (letters and digits), in order."""
    return WORD_RE.findall(text.lower())


def significant_stems(text: str) -> list[str]:
    """The stems of the words that say what ``text`` is about: no stop words, no numbers, no single
    letters; each once, in order."""
    stems = (stem(word) for word in words_of(text) if len(word) > 1 and word not in STOPWORDS and not word.isdigit())
    return list(dict.fromkeys(stems))


def substring_of(word: str) -> str:
    """What a substring search looks for so that a word's other forms match too: its stem when the
    stem starts it ("budgets" → "budget", "deliveries" → "deliver"), else the word itself."""
    stemmed = stem(word.lower())
    return stemmed if word.lower().startswith(stemmed) and len(stemmed) >= 3 else word


# --- the list search's syntax ---------------------------------------------------------------------


@dataclass
class SearchTerms:
    """A parsed search: every group must match (AND); a group matches if any of its terms does (OR);
    no idea with an ``excluded`` term matches. A term is a tuple of words: one word, or a phrase."""

    groups: list[list[tuple[str, ...]]] = field(default_factory=list)
    excluded: list[tuple[str, ...]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.groups or self.excluded)


_TOKEN_RE = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def search_terms(text: str) -> SearchTerms:
    """Parse the web search syntax PostgreSQL's ``websearch_to_tsquery`` reads: words (all of them, in
    any order), "a quoted phrase", ``or`` between two terms, ``-word`` or ``-"phrase"`` to exclude.

    Stop words alone are left out (as PostgreSQL's ``english`` configuration does); punctuation
    separates words, so no character a person types is syntax to the database.
    """
    terms = SearchTerms()
    pending_or = False
    for match in _TOKEN_RE.finditer(text):
        negated, quoted, bare = match.group(1) == "-", match.group(2), match.group(3)
        if bare is not None:
            if bare.lower() == "or" and terms.groups:
                pending_or = True
                continue
            negated = bare.startswith("-") and len(bare) > 1
            # "locker's", "e-mail": the words PostgreSQL's parser keeps (no stop words, no lone letters).
            words = tuple(word for word in words_of(bare) if len(word) > 1 and word not in STOPWORDS)
        else:
            words = tuple(words_of(quoted))
        if len(words) == 1 and words[0] in STOPWORDS:
            words = ()
        if not words:
            continue
        if negated:
            terms.excluded.append(words)
        elif pending_or:
            terms.groups[-1].append(words)
        else:
            terms.groups.append([words])
        pending_or = False
    return terms
