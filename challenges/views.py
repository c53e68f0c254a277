from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from ideaportal.pagecache import cache_public_page
from ideas.selectors import challenge_follow_state, idea_list_for, user_votes_on
from scoring.selectors import scores_overall_for_outcomes

from . import rules, selectors, services
from .models import Challenge, ChallengeInvitation


@cache_public_page
def challenge_list(request):
    challenges = selectors.challenge_list_for(request.user)
    return render(request, "challenges/challenge_list.html", {"challenges": challenges})


def _challenge_or_404(request, slug: str) -> Challenge:
    """The challenge if the user may see it; a challenge they may not see does not exist for them."""
    try:
        challenge = selectors.challenge_detail(slug=slug)
    except Challenge.DoesNotExist:
        raise Http404("No such challenge.") from None
    if not rules.can_view_challenge(request.user, challenge):
        raise Http404("No such challenge.")
    return challenge


def _announced_results(request, challenge: Challenge) -> selectors.ChallengeResults | None:
    """The results if they are out (closed, or final with a winner); no query in earlier phases."""
    if not rules.results_may_be_out(challenge):
        return None
    results = selectors.challenge_results(request.user, challenge=challenge)
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
    context = {
        "challenge": challenge,
        "outcomes": outcomes,
        "show_scores": show_scores,
        "scores": scores_overall_for_outcomes(o.pk for o in outcomes) if show_scores else {},
        "min_respondents": settings.SCORING_MIN_RESPONDENTS,
        "criteria": [(criterion, round(100 * criterion.weight / total_weight)) for criterion in criteria],
        "top_ideas": top_ideas,
        "user_votes": user_votes_on(request.user, top_ideas),
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
        preview = selectors.challenge_results(request.user, challenge=challenge)
    return render(
        request,
        "challenges/challenge_results.html",
        {"challenge": challenge, "results": results or preview, "preview": preview is not None},
    )


@never_cache
def challenge_invitation(request, token: str):
    """The link in an invitation email: a confirmation page (GET), and joining (POST).

    A GET never joins (a mail scanner's visit, a preview, a forwarded link). What the invitation is
    for, the challenge's title and prize, is shown to its invitee alone: a signed-in member who
    confirmed the address it was sent to (``rules.is_invitee``). Anyone else, signed in or not,
    learns only that it is an invitation, and is asked to sign in with the invited address; the
    address itself is not shown. Unknown or revoked token: 404; used: 410, naming nothing.
    """
    invitation = selectors.challenge_invitation_by_token(token=token)
    if invitation is None:
        raise Http404("No such invitation.")
    if request.method == "POST" and request.user.is_authenticated:
        return _invitation_accept(request, token)
    if invitation.accepted_at is not None and invitation.accepted_by_id != request.user.pk:
        return render(request, TEMPLATE_INVITATION, {"state": "used", "next": request.get_full_path()}, status=410)
    state = "invitee" if rules.is_invitee(request.user, invitation) else "anyone"
    context = {"state": state, "next": request.get_full_path()}
    if state == "invitee":
        context |= {"invitation": invitation, "challenge": invitation.challenge}
    return render(request, TEMPLATE_INVITATION, context)


TEMPLATE_INVITATION = "challenges/invitation.html"


def _invitation_accept(request, token: str):
    try:
        acceptance = services.challenge_invitation_accept(token=token, user=request.user)
    except ChallengeInvitation.DoesNotExist:  # revoked meanwhile
        raise Http404("No such invitation.") from None
    except services.InvitationUsed as error:
        return render(request, TEMPLATE_INVITATION, {"state": "used", "used_error": str(error)}, status=410)
    except services.InvitationNotYours as error:
        context = {"state": "anyone", "not_yours": str(error), "next": request.get_full_path()}
        return render(request, TEMPLATE_INVITATION, context, status=403)
    challenge = acceptance.challenge
    if challenge.phase == Challenge.Phase.DRAFT and not rules.can_view_challenge(request.user, challenge):
        opens = f": it opens on {challenge.opens_at:%d %B %Y}" if challenge.opens_at else ""
        messages.info(request, f"You are in the challenge “{challenge.title}”. It is not open yet{opens}.")
        return redirect("home")
    if acceptance.accepted:
        messages.success(request, f"Welcome to the challenge “{challenge.title}”: you can now see it and take part.")
    return redirect(challenge)
