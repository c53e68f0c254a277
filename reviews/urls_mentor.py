"""URLs of the mentor area and the private thread (under app_name "reviews")."""

from django.urls import path

from . import views_mentor

urlpatterns: list = [
    path("mentor/", views_mentor.mentor_ideas, name="mentor_ideas"),
    path("mentor/ideas/<int:pk>/", views_mentor.mentor_idea, name="mentor_idea"),
    path("mentor/ideas/<int:pk>/review/", views_mentor.mentor_review, name="mentor_review"),
    path("mentor/ideas/<int:pk>/revision/", views_mentor.mentor_revision_request, name="mentor_revision"),
    path("mentor/ideas/<int:pk>/compare/", views_mentor.mentor_compare, name="mentor_compare"),
    path("ideas/<int:pk>/thread/", views_mentor.idea_thread, name="idea_thread"),
]
