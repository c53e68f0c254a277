from django.urls import path

from . import views

app_name = "ideas"

urlpatterns = [
    path("", views.idea_list, name="list"),
    path("mine/", views.idea_mine, name="mine"),
    path("<int:pk>/", views.idea_detail, name="detail"),
    path("<int:pk>/edit/", views.idea_edit, name="edit"),
    path("<int:pk>/vote/", views.idea_vote, name="vote"),
    path("<int:pk>/comments/", views.comment_create, name="comment"),
]
