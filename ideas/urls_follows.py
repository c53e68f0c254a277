"""URLs for following ideas and challenges (included by ideas/urls.py, under app_name "ideas")."""

urlpatterns: list = []
