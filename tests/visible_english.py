"""Find English left on a page shown in another language (issue 19's "no English string in the page").

``visible_texts(page)`` lists what a person reads or hears on the page: every text node that is
rendered (screen-reader-only text included, since it is read aloud), the title, and the texts of
attributes (placeholder, aria-label, title, alt, the value of buttons). ``english_in(texts, ...)``
keeps the ones that are English, by two tests:

Text inside an element whose ``lang`` names another language (the switcher's "English", a
challenge's content written in English) is left out: it says what it is.

- the text contains a word that only English uses (``ENGLISH_ONLY``: function words and the
  portal's own English vocabulary; words German or French also use, such as "vote", "image",
  "challenge", "in", "on", "an", are left out so a correct translation is never flagged);
- or the text is one of the portal's English messages (a msgid of the catalogues) whose
  translation in the page's language is different, i.e. a marked string shown untranslated.

Names, email addresses and codes the test put on the page are passed as ``allowed``.
"""

from __future__ import annotations

import re

from django.utils import translation

ENGLISH_ONLY = frozenset(
    [
        "the",
        "and",
        "your",
        "yours",
        "you",
        "is",
        "are",
        "were",
        "been",
        "being",
        "has",
        "have",
        "had",
        "to",
        "for",
        "with",
        "this",
        "that",
        "these",
        "those",
        "from",
        "of",
        "by",
        "at",
        "not",
        "what",
        "which",
        "whom",
        "will",
        "would",
        "can",
        "could",
        "should",
        "it",
        "its",
        "they",
        "their",
        "them",
        "we",
        "our",
        "us",
        "my",
        "his",
        "her",
        "here",
        "there",
        "how",
        "when",
        "where",
        "why",
        "more",
        "most",
        "yes",
        "sign",
        "signed",
        "ideas",
        "idea",
        "submit",
        "save",
        "saved",
        "edit",
        "search",
        "next",
        "previous",
        "back",
        "draft",
        "drafts",
        "new",
        "opened",
        "close",
        "closed",
        "all",
        "each",
        "every",
        "any",
        "some",
        "one",
        "two",
        "only",
        "about",
        "than",
        "then",
        "out",
        "up",
        "if",
        "do",
        "does",
        "done",
        "week",
        "weeks",
        "day",
        "days",
        "ago",
        "hour",
        "hours",
        "month",
        "months",
        "year",
        "years",
        "survey",
        "surveys",
        "outcome",
        "outcomes",
        "job",
        "jobs",
        "implemented",
        "declined",
        "shortlisted",
        "winner",
        "submitted",
        "review",
        "reviewed",
        "reviews",
        "reason",
        "screening",
        "board",
        "overdue",
        "reply",
        "answer",
        "answers",
        "answered",
        "see",
        "show",
        "shown",
        "less",
        "read",
        "unread",
        "write",
        "add",
        "remove",
        "delete",
        "cancel",
        "title",
        "help",
        "home",
        "account",
        "password",
        "email",
        "settings",
        "preferences",
        "profile",
        "people",
        "member",
        "members",
        "leaderboard",
        "follow",
        "following",
        "followers",
        "unfollow",
        "supported",
        "undo",
        "voting",
        "voted",
        "withdraw",
        "withdrawn",
        "already",
        "yet",
        "still",
        "new",
        "latest",
        "recent",
        "oldest",
        "newest",
        "upload",
        "attach",
        "attached",
        "mark",
    ]
)
WORD = re.compile(r"[^\W\d_]+")

# What a person reads on the page: rendered text nodes (screen-reader-only ones too) and the texts
# of attributes, each with the tag of its element (for the report).
_VISIBLE_TEXTS_JS = """
() => {
  const out = [];
  const pageLang = document.documentElement.lang;
  const shown = (el) => {
    if (!el) return false;
    // Text that says it is in another language (a language's own name in the switcher, content
    // of a challenge that states its language) is not the page's to translate.
    const marked = el.closest('[lang]');
    if (marked && marked !== document.documentElement && marked.lang.split('-')[0] !== pageLang) return false;
    if (el.closest('[hidden], template, script, style, noscript')) return false;
    if (el.closest('details:not([open])') && !el.closest('summary')) {
      // A closed <details>: its content is a click away, still part of the page.
      return true;
    }
    const style = getComputedStyle(el);
    return style.display !== 'none' && style.visibility !== 'hidden';
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.nodeValue.replace(/\\s+/g, ' ').trim();
    if (text && shown(node.parentElement)) out.push([node.parentElement.tagName.toLowerCase(), text]);
  }
  for (const el of document.querySelectorAll('[placeholder], [aria-label], [title], img[alt], input[type=submit][value], input[type=button][value]')) {
    if (!shown(el)) continue;
    for (const name of ['placeholder', 'aria-label', 'title', 'alt']) {
      const value = (el.getAttribute(name) || '').trim();
      if (value) out.push([`${el.tagName.toLowerCase()}@${name}`, value]);
    }
    if (el.tagName === 'INPUT' && el.value) out.push(['input@value', el.value]);
  }
  out.push(['title', document.title]);
  return out;
}
"""


def visible_texts(page) -> list[tuple[str, str]]:
    return [(where, text) for where, text in page.evaluate(_VISIBLE_TEXTS_JS)]


def _untranslated_messages(language: str) -> dict[str, str]:
    """The catalogues' English messages whose translation in ``language`` differs from them."""
    catalog = translation.trans_real.translation(language)._catalog
    messages = {}
    for key, value in catalog.items():
        msgid = key[0] if isinstance(key, tuple) else key  # a plural's forms are (msgid, n)
        if isinstance(msgid, str) and msgid and value and value != msgid and WORD.search(msgid):
            messages[msgid.strip()] = value
    return messages


def english_in(texts: list[tuple[str, str]], language: str, allowed: set[str] = frozenset()) -> list[str]:
    """The texts (with where they are) that are English on a page meant to be in ``language``."""
    untranslated = _untranslated_messages(language)
    found = []
    for where, text in texts:
        rest = text
        for name in allowed:
            rest = rest.replace(name, " ")
        words = {word.lower() for word in WORD.findall(rest)}
        english = sorted(words & ENGLISH_ONLY)
        if english:
            found.append(f"{where}: {text!r} (English words: {', '.join(english)})")
        elif rest.strip() in untranslated and len(rest.strip()) > 1:
            found.append(f"{where}: {text!r} (an English message shown untranslated)")
    return found
