from django.urls import path

from ideas.views import idea_create

from . import views

app_name = "challenges"

urlpatterns = [
    path("", views.challenge_list, name="list"),
    path("<slug:slug>/", views.challenge_detail, name="detail"),
    path("<slug:slug>/submit/", idea_create, name="submit"),
]
