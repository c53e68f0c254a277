"""URLs for comparing finalists (under app_name "reviews")."""

urlpatterns: list = []
