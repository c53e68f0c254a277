from django.http import Http404
from django.shortcuts import render

from .models import Kind
from .services import POINTS, TIERS, VOTES_CAP_PER_IDEA


def points(request):
    """The public help page: what earns points, and the tiers."""
    table = [(Kind(kind).label, value) for kind, value in POINTS.items()]
    return render(request, "reputation/points.html", {"points_table": table, "tiers": TIERS, "votes_cap": VOTES_CAP_PER_IDEA})


def profile(request, pk):  # built next (issue 8)
    raise Http404


def leaderboard(request):  # built next (issue 8)
    raise Http404
