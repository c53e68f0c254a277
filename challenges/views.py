from django.conf import settings
from django.http import Http404
from django.shortcuts import render

from ideas.selectors import idea_list_for, user_votes_on
from scoring.selectors import scores_overall_for_outcomes

from . import selectors
from .models import Challenge
from .rules import can_view_challenge, can_view_scores, submission_refusal


def challenge_list(request):
    challenges = selectors.challenge_list_for(request.user).prefetch_related("outcomes")
    return render(request, "challenges/challenge_list.html", {"challenges": challenges})


def challenge_detail(request, slug: str):
    try:
        challenge = selectors.challenge_detail(slug=slug)
    except Challenge.DoesNotExist:
        raise Http404("No such challenge.") from None
    if not can_view_challenge(request.user, challenge):
        raise Http404("No such challenge.")
    top_ideas = list(idea_list_for(request.user).filter(challenge=challenge).published().by_support()[:10])
    outcomes = list(challenge.outcomes.all())
    show_scores = bool(outcomes) and can_view_scores(request.user, challenge)
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
        "submission_refusal": submission_refusal(request.user, challenge),
    }
    return render(request, "challenges/challenge_detail.html", context)
