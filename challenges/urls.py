from django.urls import path

from ideas.views import idea_create

from . import views

app_name = "challenges"

urlpatterns = [
    path("", views.challenge_list, name="list"),
    # Before "<slug>/": a challenge cannot take the slug "invitations" from this link.
    path("invitations/<str:token>/", views.challenge_invitation, name="invitation"),
    path("<slug:slug>/", views.challenge_detail, name="detail"),
    path("<slug:slug>/results/", views.challenge_results, name="results"),
    path("<slug:slug>/submit/", idea_create, name="submit"),
]
