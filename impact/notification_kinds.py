"""The notifications impact causes: a follow-up survey invites its respondents, and its result is
published to the idea's author and followers.

Registered from ``ImpactConfig.ready()`` (``notifications.registry``); the services call
``follow_up_invitation`` and ``follow_up_result`` in the transaction of the change, each keyed on the
follow-up so that a retry never tells anyone twice.
"""

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.language import language_for
from ideas.models import IdeaFollow
from ideas.rules import can_view_idea
from notifications.models import Delivery, OutboxEvent
from notifications.registry import Draft, NotificationKind, register
from notifications.services import notify_event

from .models import FollowUp, Verdict

FOLLOW_UP_SURVEY = "follow_up_survey"
FOLLOW_UP_RESULT = "follow_up_result"


def follow_up_invitation(*, follow_up: FollowUp) -> OutboxEvent:
    return notify_event(
        kind=FOLLOW_UP_SURVEY,
        payload={"follow_up_id": follow_up.pk},
        event_key=f"follow_up_survey:{follow_up.pk}",
    )


def follow_up_result(*, follow_up: FollowUp) -> OutboxEvent:
    return notify_event(
        kind=FOLLOW_UP_RESULT,
        payload={"follow_up_id": follow_up.pk},
        event_key=f"follow_up_result:{follow_up.pk}",
    )


def _drafts_follow_up_survey(payload) -> list[Draft]:
    from .selectors import follow_up_invitees

    follow_up = FollowUp.objects.select_related("wave__job", "baseline_wave").filter(pk=payload["follow_up_id"]).first()
    if follow_up is None:
        return []
    wave, job = follow_up.wave, follow_up.wave.job
    url = reverse("surveys:wave", kwargs={"wave_id": wave.pk})
    names = {"job": job.name, "job_lower": job.name.lower(), "wave": follow_up.baseline_wave.name}
    drafts = []
    for user, answered_before in follow_up_invitees(follow_up):
        with translation.override(language_for(user)):  # each invitee reads it in their own language
            title = _("Has “%(job)s” become easier? A two-minute follow-up survey") % names
            if answered_before:
                body = (
                    _(
                        "In our survey “%(wave)s” you told us how well today's solutions help you "
                        "%(job_lower)s. We have since put a customer's idea into practice. Please rate the same "
                        "outcomes again, so we learn whether it really made the job easier."
                    )
                    % names
                )
            else:
                body = (
                    _(
                        "We have put a customer's idea into practice to help people %(job_lower)s. Please rate a "
                        "few outcomes of this job, so we learn whether it really made the job easier."
                    )
                    % names
                )
        drafts.append(Draft(user, FOLLOW_UP_SURVEY, title, body, url))
    return drafts


def _drafts_follow_up_result(payload) -> list[Draft]:
    from .selectors import follow_up_summary

    follow_up = (
        FollowUp.objects.select_related("idea__author", "idea__challenge", "wave")
        .filter(pk=payload["follow_up_id"])
        .exclude(verdict=Verdict.PENDING)
        .first()
    )
    if follow_up is None:
        return []
    idea = follow_up.idea
    summary = follow_up_summary(follow_up)

    def draft(user, title: str) -> Draft:
        """The result in the recipient's language: the verdict and every outcome's sentence."""
        with translation.override(language_for(user)):
            body = " ".join(line.sentence for line in summary.lines)
            values = {"title": idea.title, "verdict": str(summary.verdict_label)}
            return Draft(user, FOLLOW_UP_RESULT, str(title) % values, body, idea.get_absolute_url())

    drafts = []
    if idea.author.is_active:
        drafts.append(draft(idea.author, AUTHOR_TITLE))
    follows = IdeaFollow.objects.filter(idea=idea).exclude(user_id=idea.author_id).select_related("user")
    drafts += [draft(f.user, FOLLOWER_TITLE) for f in follows if f.user.is_active and can_view_idea(f.user, idea)]
    return drafts


# Marked here, translated per recipient in _drafts_follow_up_result.
AUTHOR_TITLE = gettext_lazy("Your implemented idea “%(title)s” was measured: %(verdict)s")
FOLLOWER_TITLE = gettext_lazy("“%(title)s” was measured: %(verdict)s")


def register_kinds() -> None:
    """From ``ImpactConfig.ready()``."""
    register(
        NotificationKind(
            FOLLOW_UP_SURVEY,
            gettext_lazy("Follow-up surveys on implemented ideas"),
            Delivery.IMMEDIATELY,
            order=135,
            recipients=_drafts_follow_up_survey,
        )
    )
    register(
        NotificationKind(
            FOLLOW_UP_RESULT,
            gettext_lazy("Measured results of implemented ideas I wrote or follow"),
            Delivery.IMMEDIATELY,
            order=136,
            recipients=_drafts_follow_up_result,
        )
    )
