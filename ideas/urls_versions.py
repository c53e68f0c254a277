"""URLs for versions, withdrawal and similar ideas (included by ideas/urls.py, under app_name "ideas")."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("<int:pk>/versions/", views.idea_versions, name="versions"),
    path("<int:pk>/withdraw/", views.idea_withdraw, name="withdraw"),
    path("similar/", views.idea_similar, name="similar"),
]
