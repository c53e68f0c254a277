"""The reputation pages' URLs (namespace "reputation"), included by ``pages.urls_reputation``, which
adds a member's profile (composed in pages: their points from reputation, their ideas from ideas)."""

from django.urls import path

from . import views

urlpatterns = [
    path("points/", views.points, name="points"),
    path("leaderboard/", views.leaderboard, name="leaderboard"),
]
