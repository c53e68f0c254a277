from django.shortcuts import render

from .models import Kind
from .services import POINTS, TIERS


def points(request):
    """The public help page: what earns points, and the tiers."""
    table = [(Kind(kind).label, value) for kind, value in POINTS.items()]
    return render(request, "reputation/points.html", {"points_table": table, "tiers": TIERS})
