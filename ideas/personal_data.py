"""What the ideas app holds about a member, for their download and their account's erasure
(registered with core.personal_data from IdeasConfig.ready())."""

from django.db.models import Prefetch, Q
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.personal_data import Former, Section, register

from .models import (
    Comment,
    CommentFlag,
    Idea,
    IdeaCoauthor,
    IdeaFollow,
    IdeaVersion,
    Kudos,
    Status,
    StatusChange,
    Vote,
)


def _member_ideas(member):
    return (
        Idea.objects.filter(author=member)
        .select_related("challenge")
        .prefetch_related(
            Prefetch("versions", queryset=IdeaVersion.objects.order_by("number")),
            Prefetch("status_changes", queryset=StatusChange.objects.order_by("created_at", "pk")),
        )
        .order_by("created_at", "pk")
    )


def export_ideas(member) -> list[dict]:
    return [
        {
            "id": idea.pk,
            "challenge": idea.challenge.title,
            "title": idea.title,
            "problem": idea.problem,
            "solution": idea.solution,
            "status": idea.get_status_display(),
            "created_at": idea.created_at,
            "submitted_at": idea.submitted_at,
            "decided_at": idea.decided_at,
            "votes_up": idea.votes_up,
            "votes_down": idea.votes_down,
            "versions": [
                {
                    "number": version.number,
                    "title": version.title,
                    "problem": version.problem,
                    "solution": version.solution,
                    "outcomes": version.outcome_codes,
                    "saved_at": version.created_at,
                }
                for version in idea.versions.all()
            ],
            "status_changes": [
                {"from": change.from_status, "to": change.to_status, "reason": change.reason, "at": change.created_at}
                for change in idea.status_changes.all()
            ],
        }
        for idea in _member_ideas(member)
    ]


def idea_texts(member) -> dict[str, str]:
    """Each idea as a Markdown document: the current text, then every saved version."""
    texts = {}
    for idea in _member_ideas(member):
        texts.update(_idea_text(idea))
    return texts


def _idea_text(idea) -> dict[str, str]:
    """One idea's document, in the active language (the headings; the texts are the member's)."""
    lines = [
        f"# {idea.title}",
        "",
        _("Challenge: %(title)s") % {"title": idea.challenge.title} + "  ",
        _("Status: %(status)s") % {"status": idea.get_status_display()} + "  ",
        _("Created: %(date)s") % {"date": f"{idea.created_at:%Y-%m-%d}"},
        "",
        "## " + _("Problem"),
        "",
        idea.problem,
        "",
        "## " + _("Solution"),
        "",
        idea.solution,
        "",
    ]
    for version in idea.versions.all():
        lines += [
            "## "
            + _("Version %(number)d (%(date)s)")
            % {"number": version.number, "date": f"{version.created_at:%Y-%m-%d %H:%M}"},
            "",
            f"### {version.title}",
            "",
            version.problem,
            "",
            version.solution,
            "",
        ]
    slug = slugify(idea.title)[:60] or "idea"
    return {f"ideas/{idea.pk}-{slug}.md": "\n".join(lines)}


def export_comments(member) -> list[dict]:
    rows = Comment.objects.filter(author=member).select_related("idea").order_by("created_at", "pk")
    return [
        {
            "id": comment.pk,
            "idea": comment.idea.title,
            "idea_id": comment.idea_id,
            "reply_to": comment.parent_id,
            "body": comment.body,
            "created_at": comment.created_at,
            "edited_at": comment.edited_at,
            "removed_at": comment.removed_at,
            "hidden_at": comment.hidden_at,
            "kudos": comment.kudos_count,
        }
        for comment in rows
    ]


def export_votes(member) -> list[dict]:
    rows = Vote.objects.filter(user=member).select_related("idea").order_by("created_at", "pk")
    return [
        {"idea": vote.idea.title, "idea_id": vote.idea_id, "value": vote.value, "at": vote.updated_at} for vote in rows
    ]


def export_follows(member) -> list[dict]:
    rows = IdeaFollow.objects.filter(user=member).select_related("idea").order_by("created_at", "pk")
    return [{"idea": follow.idea.title, "idea_id": follow.idea_id, "since": follow.created_at} for follow in rows]


def export_kudos(member) -> dict:
    given = Kudos.objects.filter(user=member).select_related("comment__idea").order_by("created_at", "pk")
    flags = CommentFlag.objects.filter(user=member).select_related("comment__idea").order_by("created_at", "pk")
    return {
        "kudos_given": [
            {"comment_id": kudos.comment_id, "idea": kudos.comment.idea.title, "at": kudos.created_at}
            for kudos in given
        ],
        "comments_flagged": [
            {
                "comment_id": flag.comment_id,
                "idea": flag.comment.idea.title,
                "reason": flag.reason,
                "at": flag.created_at,
            }
            for flag in flags
        ],
    }


def erase(member, former: Former) -> None:
    """Submitted ideas and comments stay (the row they point to is emptied: "Former member"); votes,
    kudos and flags stay counted. What only the member saw goes: their drafts and their follows."""
    drafts = Idea.objects.filter(author=member, status=Status.DRAFT)
    IdeaVersion.objects.filter(idea__in=drafts).delete()
    drafts.delete()
    IdeaFollow.objects.filter(user=member).delete()


def export_coauthorships(member) -> dict:
    """The ideas the member co-authors or was invited to, and the co-authors they invited (with the
    addresses they typed)."""
    received = (
        IdeaCoauthor.objects.filter(Q(user=member) | Q(user__isnull=True, email__iexact=member.email or "-"))
        .select_related("idea")
        .order_by("created_at", "pk")
    )
    sent = IdeaCoauthor.objects.filter(idea__author=member).select_related("user", "idea").order_by("created_at", "pk")
    return {
        "co_authorships": [
            {
                "idea_id": c.idea_id,
                "idea": c.idea.title,
                "status": c.status,
                "invited_at": c.created_at,
                "answered_at": c.responded_at,
            }
            for c in received
        ],
        "co_authors_invited": [
            {
                "idea_id": c.idea_id,
                "idea": c.idea.title,
                "member": c.user.public_name if c.user else "",
                "email": c.email,
                "status": c.status,
                "invited_at": c.created_at,
            }
            for c in sent
        ],
    }


def erase_coauthorships(member, former: Former) -> None:
    """The member leaves every idea they co-author (and drops their invitations): an erased co-author
    is no longer on any byline. The addresses they typed to invite others go from open invitations."""
    addresses = [address.lower() for address in former.emails if address]
    IdeaCoauthor.objects.filter(Q(user=member) | Q(user__isnull=True, email__in=addresses)).delete()
    IdeaCoauthor.objects.filter(idea__author=member).exclude(status=IdeaCoauthor.State.ACCEPTED).delete()


def register_sections() -> None:
    register(
        Section(
            key="ideas",
            label=gettext_lazy("Your ideas, with every saved version and their status changes"),
            export=export_ideas,
            texts=idea_texts,
            erase=erase,
            order=20,
        )
    )
    register(Section(key="comments", label=gettext_lazy("Your comments"), export=export_comments, order=21))
    register(Section(key="votes", label=gettext_lazy("Your votes"), export=export_votes, order=22))
    register(Section(key="idea_follows", label=gettext_lazy("The ideas you follow"), export=export_follows, order=23))
    register(
        Section(
            key="kudos", label=gettext_lazy("Kudos you gave and comments you flagged"), export=export_kudos, order=24
        )
    )
    register(
        Section(
            key="coauthors",
            label=gettext_lazy("Ideas you co-author or were invited to, and the co-authors you invited"),
            export=export_coauthorships,
            erase=erase_coauthorships,
            order=25,
        )
    )
