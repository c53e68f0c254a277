"""URLs for co-authors (included by ideas/urls.py, under app_name "ideas")."""

from django.urls import path

from . import views_coauthors

urlpatterns: list = [
    path("<int:pk>/coauthors/", views_coauthors.idea_coauthors, name="coauthors"),
    path("<int:pk>/coauthors/<int:coauthor_pk>/remove/", views_coauthors.coauthor_remove, name="coauthor_remove"),
    path("coauthors/invitation/<str:token>/", views_coauthors.coauthor_invitation, name="coauthor_invitation"),
]
