"""URLs for following ideas and challenges (included by ideas/urls.py, under app_name "ideas"; the
challenge's view is challenges', its URL name stays "ideas:challenge_follow")."""

from django.urls import path

from challenges import views as challenge_views

from . import views_follows

urlpatterns: list = [
    path("<int:pk>/follow/", views_follows.idea_follow, name="follow"),
    path("challenges/<slug:slug>/follow/", challenge_views.challenge_follow, name="challenge_follow"),
]
