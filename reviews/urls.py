from .urls_finalists import urlpatterns as finalist_urls
from .urls_mentor import urlpatterns as mentor_urls

app_name = "reviews"

urlpatterns = [*mentor_urls, *finalist_urls]
