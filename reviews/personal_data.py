"""What the reviews app holds about a member: the mentor-thread messages they wrote, and for
mentors their reviews and revision requests (registered with core.personal_data from
ReviewsConfig.ready())."""

from django.utils.translation import gettext_lazy as _

from core.personal_data import Section, register

from .models import Review, RevisionRequest, ThreadMessage


def export_mentoring(member) -> dict:
    messages = ThreadMessage.objects.filter(author=member).select_related("idea").order_by("created_at", "pk")
    reviews = Review.objects.filter(mentor=member).select_related("idea").order_by("created_at", "pk")
    requests = RevisionRequest.objects.filter(mentor=member).select_related("idea").order_by("created_at", "pk")
    return {
        "messages_written": [{"idea": m.idea.title, "body": m.body, "at": m.created_at} for m in messages],
        "reviews_written": [
            {
                "idea": review.idea.title,
                "desirability": review.desirability,
                "feasibility": review.feasibility,
                "viability": review.viability,
                "clarity": review.clarity,
                "comments": review.comments,
                "recommendation": review.recommendation,
                "at": review.updated_at,
            }
            for review in reviews
        ],
        "revision_requests_written": [
            {"idea": r.idea.title, "message": r.message, "at": r.created_at} for r in requests
        ],
    }


def register_sections() -> None:
    # Nothing to erase: the messages and reviews are part of an idea's record; they stay, signed
    # "Former member" by the emptied row.
    register(
        Section(key="mentoring", label=_("Your mentor-thread messages and reviews"), export=export_mentoring, order=70)
    )
