"""URLs for following ideas and challenges (included by ideas/urls.py, under app_name "ideas")."""

from django.urls import path

from . import views_follows

urlpatterns: list = [
    path("<int:pk>/follow/", views_follows.idea_follow, name="follow"),
    path("challenges/<slug:slug>/follow/", views_follows.challenge_follow, name="challenge_follow"),
]
