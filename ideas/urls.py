from django.urls import path

from . import views, views_comments, views_lists
from .urls_coauthors import urlpatterns as coauthor_urls
from .urls_comments import urlpatterns as comment_urls
from .urls_follows import urlpatterns as follow_urls
from .urls_versions import urlpatterns as version_urls

app_name = "ideas"

urlpatterns = [
    path("", views_lists.idea_list, name="list"),
    path("mine/", views.idea_mine, name="mine"),
    path("<int:pk>/", views.idea_detail, name="detail"),
    path("<int:pk>/edit/", views.idea_edit, name="edit"),
    path("<int:pk>/vote/", views.idea_vote, name="vote"),
    path("<int:pk>/comments/", views_comments.comment_create, name="comment"),
    *comment_urls,
    *follow_urls,
    *version_urls,
    *coauthor_urls,
]
