"""URLs for comments, replies, kudos, flags (included by ideas/urls.py, under app_name "ideas")."""

urlpatterns: list = []
