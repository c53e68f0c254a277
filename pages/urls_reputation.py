"""The reputation pages' URLs (namespace "reputation"): composed here, on top, because a member's
profile comes from two apps (their points and tier from reputation, their ideas from ideas); the
points page and the leaderboards are reputation's own."""

from django.urls import include, path

from . import views

app_name = "reputation"

urlpatterns = [
    path("people/<int:pk>/", views.member_profile, name="profile"),
    path("", include("reputation.urls")),
]
