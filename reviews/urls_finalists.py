"""URLs for comparing finalists (under app_name "reviews")."""

from django.urls import path

from . import views_finalists

urlpatterns: list = [
    path("finalists/<slug:slug>/", views_finalists.finalists_compare, name="finalists"),
    path("finalists/<slug:slug>/winner/", views_finalists.finalists_choose_winner, name="finalists_choose_winner"),
]
