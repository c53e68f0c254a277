from django.shortcuts import render

from challenges.selectors import challenge_visible_to
from core.pagecache import cache_public_page

from . import selectors
from .forms import LeaderboardForm
from .models import Kind
from .services import POINTS, TIERS, VOTES_CAP_PER_IDEA


@cache_public_page
def points(request):
    """The public help page: what earns points, and the tiers."""
    table = [(Kind(kind).label, value) for kind, value in POINTS.items()]
    return render(
        request, "reputation/points.html", {"points_table": table, "tiers": TIERS, "votes_cap": VOTES_CAP_PER_IDEA}
    )


@cache_public_page(params=("period", "challenge"))
def leaderboard(request):
    """The members with the most points in a period, overall or in one challenge the viewer may see.

    Bad parameters get the form's message and a 400, with the board for what was valid (the default
    period, all challenges, otherwise).
    """
    form = LeaderboardForm(request.GET or None, challenges=challenge_visible_to(request.user))
    valid = form.is_valid() if form.is_bound else True
    cleaned = form.cleaned_data if form.is_bound else {}
    period = cleaned.get("period") or selectors.PERIOD_DEFAULT
    challenge = cleaned.get("challenge")
    context = {
        "form": form,
        "period": period,
        "period_label": selectors.PERIODS[period][0],
        "challenge": challenge,
        "members": selectors.leaderboard(since=selectors.period_start(period), challenge=challenge),
        "size": selectors.LEADERBOARD_SIZE,
    }
    return render(request, "reputation/leaderboard.html", context, status=200 if valid else 400)
