"""Pages that compose several apps: the home page, a challenge's page and its results (the challenge,
its ideas, its outcomes' scores), the member's own profile form (the account and their survey
segment) and a member's public profile (their points and tier, their ideas and how far they went)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from challenges import rules, selectors
from challenges.models import Challenge
from challenges.selectors import challenge_follow_state, challenge_open_list_for
from core.pagecache import cache_public_page
from ideas import selectors_profile
from ideas.selectors import idea_list_for, idea_recently_decided_for, vote_boxes_for
from ideas.selectors_results import ChallengeResults
from ideas.selectors_results import challenge_results as results_of
from ideas.views_fragments import idea_cards_set
from reputation.rules import can_view_profile, is_staff_viewer
from reputation.services import tier_of
from scoring.selectors import scores_overall_for_outcomes
from scoring.selectors_survey import member_segment
from scoring.services.survey import respondent_segment_set

from .forms import ProfileForm


@cache_public_page
def home(request):
    decided_ideas = list(idea_recently_decided_for(request.user))
    vote_boxes = vote_boxes_for(request.user, decided_ideas, listed=True)
    idea_cards_set(request, decided_ideas, vote_boxes=vote_boxes)
    context = {
        "open_challenges": challenge_open_list_for(request.user)[:6],
        "decided_ideas": decided_ideas,
        "vote_boxes": vote_boxes,
    }
    return render(request, "home.html", context)


def _challenge_or_404(request, slug: str) -> Challenge:
    """The challenge if the user may see it; a challenge they may not see does not exist for them."""
    try:
        challenge = selectors.challenge_detail(slug=slug)
    except Challenge.DoesNotExist:
        raise Http404("No such challenge.") from None
    if not rules.can_view_challenge(request.user, challenge):
        raise Http404("No such challenge.")
    return challenge


def _announced_results(request, challenge: Challenge) -> ChallengeResults | None:
    """The results if they are out (closed, or final with a winner); no query in earlier phases."""
    if not rules.results_may_be_out(challenge):
        return None
    results = results_of(request.user, challenge=challenge)
    return results if rules.results_announced(challenge, has_winner=results.has_winner) else None


@cache_public_page
def challenge_detail(request, slug: str):
    challenge = _challenge_or_404(request, slug)
    results = _announced_results(request, challenge)
    # With the results out, they list every idea; the "most supported" list would repeat them.
    top_ideas = (
        [] if results else list(idea_list_for(request.user).filter(challenge=challenge).published().by_support()[:10])
    )
    outcomes = list(challenge.outcomes.all())
    show_scores = bool(outcomes) and rules.can_view_scores(request.user, challenge)
    criteria = list(challenge.criteria.all())
    total_weight = sum(criterion.weight for criterion in criteria) or 1
    vote_boxes = vote_boxes_for(request.user, top_ideas, listed=True)
    idea_cards_set(request, top_ideas, vote_boxes=vote_boxes)
    context = {
        "challenge": challenge,
        "outcomes": outcomes,
        "show_scores": show_scores,
        "scores": scores_overall_for_outcomes(o.pk for o in outcomes) if show_scores else {},
        "min_respondents": settings.SCORING_MIN_RESPONDENTS,
        "criteria": [(criterion, round(100 * criterion.weight / total_weight)) for criterion in criteria],
        "top_ideas": top_ideas,
        "vote_boxes": vote_boxes,
        "submission_refusal": rules.submission_refusal(request.user, challenge),
        "phase_allows": rules.phase_allows(challenge),
        "challenge_follow": challenge_follow_state(request.user, challenge),
        "results": results,
    }
    return render(request, "challenges/challenge_detail.html", context)


def challenge_results(request, slug: str):
    """Where every idea ended and why; before the results are out, when they will be (staff see a preview)."""
    challenge = _challenge_or_404(request, slug)
    results = _announced_results(request, challenge)
    preview = None
    if results is None and rules.can_preview_results(request.user):
        preview = results_of(request.user, challenge=challenge)
    return render(
        request,
        "challenges/challenge_results.html",
        {"challenge": challenge, "results": results or preview, "preview": preview is not None},
    )


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user, segment=member_segment(request.user))
    if request.method == "POST" and form.is_valid():
        form.save()
        if request.user.language:  # the message below is read on the next page, in the new language
            translation.activate(request.user.language)
        if form.segment_answered:
            respondent_segment_set(user=request.user, segment=form.cleaned_data["segment"])
        messages.success(request, _("Your profile is saved."))
        return redirect("profile")
    return render(request, "accounts/profile.html", {"form": form}, status=400 if form.errors else 200)


@cache_public_page
def member_profile(request, pk: int):
    """A member's track record; a profile the viewer may not see does not exist for them (404)."""
    try:
        member = selectors_profile.member_for_profile(pk=pk)
    except selectors_profile.User.DoesNotExist:
        raise Http404("No such member.") from None
    if not can_view_profile(request.user, member):
        raise Http404("No such member.")
    is_own = request.user.is_authenticated and request.user.pk == member.pk
    total = getattr(member, "reputation_total", None)
    context = {
        "member": member,
        "is_own": is_own,
        "hidden": not member.profile_public or not member.is_active,
        "seen_as_staff": not is_own and is_staff_viewer(request.user),
        "points": total.points if total else 0,
        "tier": tier_of(member),
        "ideas": selectors_profile.profile_ideas(viewer=request.user, member=member),
        "funnel": selectors_profile.profile_funnel(viewer=request.user, member=member),
    }
    return render(request, "reputation/profile.html", context)
