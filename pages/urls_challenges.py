"""The challenge pages' URLs (namespace "challenges"): composed here, on top, because they come from
three apps: the list and invitations from challenges, a challenge's page and results from pages,
submitting an idea from ideas."""

from django.urls import path

from challenges import views as challenges
from ideas.views import idea_create

from . import views

app_name = "challenges"

urlpatterns = [
    path("", challenges.challenge_list, name="list"),
    # Before "<slug>/": a challenge cannot take the slug "invitations" from this link.
    path("invitations/<str:token>/", challenges.challenge_invitation, name="invitation"),
    path("<slug:slug>/", views.challenge_detail, name="detail"),
    path("<slug:slug>/results/", views.challenge_results, name="results"),
    path("<slug:slug>/submit/", idea_create, name="submit"),
]
