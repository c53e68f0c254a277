"""URLs for versions, withdrawal and similar ideas (included by ideas/urls.py, under app_name "ideas")."""

urlpatterns: list = []
