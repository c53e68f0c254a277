"""URLs for comments, replies, kudos, flags (included by ideas/urls.py, under app_name "ideas").

New comments and replies post to ``ideas:comment`` (``<idea pk>/comments/``); a reply names its
``parent`` comment in the form.
"""

from django.urls import path

from . import views_comments

urlpatterns: list = [
    path("comments/<int:pk>/edit/", views_comments.comment_edit, name="comment_edit"),
    path("comments/<int:pk>/remove/", views_comments.comment_remove, name="comment_remove"),
    path("comments/<int:pk>/flag/", views_comments.comment_flag, name="comment_flag"),
    path("comments/<int:pk>/kudos/", views_comments.kudos, name="kudos"),
    path("comments/<int:pk>/hide/", views_comments.comment_hide, name="comment_hide"),
    path("comments/<int:pk>/unhide/", views_comments.comment_unhide, name="comment_unhide"),
]
