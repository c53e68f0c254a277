"""URLs of the mentor area and the private thread (under app_name "reviews")."""

urlpatterns: list = []
