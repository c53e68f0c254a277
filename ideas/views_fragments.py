"""The kept fragments of the ideas' pages (``core.fragments``, issue 21): idea cards and comments.

An idea card (``templates/ideas/_idea_card.html``) is the same for every viewer except its vote box
(the viewer's vote, why they may not vote, the CSRF token) and, for the idea's own authors and for
staff, the links on the names (``reputation.rules.can_view_profile``). So the card is kept with a
slot where the vote box goes, per idea, sort, audience (staff or not), content version and
language, and the vote box is rendered for each viewer. The cards of the viewer's own ideas are
rendered whole, never kept. The page's template reads ``idea.card_html`` when it is set.

A comment's head and text (``templates/ideas/_comment.html``: author, time, Markdown, files) are kept
the same way, per comment and audience; its buttons (kudos, reply, flag, edit...) are the viewer's
and rendered per request. A comment the viewer wrote, a hidden or removed one, and one whose flags
the viewer sees (moderators) are rendered whole.
"""

from collections.abc import Iterable

from django.template.context_processors import csrf
from django.template.loader import get_template
from django.utils.safestring import mark_safe

from core.fragments import SLOT, fragments, key_part
from reputation.rules import is_staff_viewer

from .models import Comment, Idea
from .selectors import VoteBox


def _own(user, idea: Idea) -> bool:
    """Whether the viewer's name is on the card (author or accepted co-author)."""
    if not user.is_authenticated:
        return False
    return idea.author_id == user.pk or any(c.user_id == user.pk for c in getattr(idea, "accepted_coauthors", ()))


# Stands for the CSRF token in a kept vote box; each request puts its own token there.
CSRF_SLOT = "csrf0fragment0slot"


def idea_cards_set(request, ideas: Iterable[Idea], *, vote_boxes: dict[int, VoteBox], sort: str = "") -> None:
    """Give each idea ``card_html``, its whole card for this viewer: the kept card with the viewer's
    vote box in its slot, both from one cache read for the page. No query.

    The vote box is kept too, per idea, the viewer's vote, their refusal and the page's address (its
    "next" field), with a slot for the request's CSRF token: members with the same vote share it."""
    ideas = list(ideas)
    user = request.user
    audience = "staff" if is_staff_viewer(user) else "all"
    card = get_template("ideas/_idea_card.html")
    vote = get_template("ideas/_vote.html")
    # The context the fragments read, without running the context processors for each of them.
    base = {"request": request, "user": user, **csrf(request)}
    path = key_part(request.get_full_path())

    def key(item: tuple[str, Idea]) -> str:
        part, idea = item
        if part == "box":
            box = vote_boxes[idea.pk]
            return f"box:{idea.pk}:{box.user_vote or 0}:{key_part(box.refusal or '')}:{path}"
        # The home page's cards carry the team's answer (an annotation the lists do not have).
        answered = "answer" if hasattr(idea, "answer") else ""
        return f"card:{idea.pk}:{sort}:{answered}:{audience}"

    def render(item: tuple[str, Idea]) -> str:
        part, idea = item
        if part == "box":
            context = {**base, "csrf_token": CSRF_SLOT, "vote": vote_boxes[idea.pk], "card": True, "vote_error": None}
            return vote.render(context)
        return card.render({**base, "idea": idea, "sort": sort, "vote_slot": SLOT})

    shared = [idea for idea in ideas if not _own(user, idea)]
    kept = fragments("idea-card", [(part, idea) for idea in shared for part in ("card", "box")], key=key, render=render)
    token = str(base["csrf_token"]) if CSRF_SLOT in "".join(kept.values()) else ""
    for idea in ideas:
        html = kept.get(key(("card", idea)))
        if html is None:  # the viewer's own idea: rendered whole, never kept
            idea.card_html = card.render({**base, "idea": idea, "sort": sort, "vote_boxes": vote_boxes})  # type: ignore[attr-defined]
            continue
        box = kept[key(("box", idea))].replace(CSRF_SLOT, token)
        idea.card_html = mark_safe(html.replace(SLOT, box))  # type: ignore[attr-defined]  # noqa: S308 (templates' output)


def _comment_shared(user, comment: Comment) -> bool:
    """Whether the comment's head is the same for every viewer of the audience."""
    actions = comment.actions  # type: ignore[attr-defined]  # ideas.selectors.comment_actions_set
    own = user.is_authenticated and comment.author_id == user.pk
    return not (own or actions.placeholder or comment.hidden_at or actions.sees_flags)


def comment_heads_set(request, idea: Idea, threads: list[Comment]) -> None:
    """Give each shown comment and reply of the page ``head_html``, kept for every viewer of its
    audience (one cache read for the page). No query: the files come from the page's one query."""
    user = request.user
    audience = "staff" if is_staff_viewer(user) else "all"
    comments = []
    for thread in threads:
        comments.append(thread)
        comments.extend(getattr(thread, "_prefetched_objects_cache", {}).get("replies", ()))
    shared = [comment for comment in comments if _comment_shared(user, comment)]
    if not shared:
        return
    template = get_template("ideas/_comment.html")
    base = {"request": request, "user": user, "idea": idea, "head_only": True}

    def key(comment: Comment) -> str:
        return f"{comment.pk}:{audience}"

    kept = fragments(
        "comment-head", shared, key=key, render=lambda comment: template.render({**base, "comment": comment})
    )
    for comment in shared:
        comment.head_html = kept[key(comment)]  # type: ignore[attr-defined]  # read by _comment.html
