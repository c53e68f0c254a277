from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from accounts.views import language_choose
from core.admin_login import admin_login
from core.favicon import favicon
from health.views import healthz
from pages import views as pages

urlpatterns = [
    path("", pages.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("language/<str:code>/", language_choose, name="language_choose"),
    path("challenges/", include("pages.urls_challenges")),
    path("ideas/", include("ideas.urls")),
    path("attachments/", include("attachments.urls")),
    path("surveys/", include("scoring.urls_survey")),
    path("opportunities/", include("scoring.urls_landscape")),
    path("", include("reviews.urls")),
    path("notifications/", include("notifications.urls")),
    path("metrics/", include("metrics.urls")),
    path("reputation/", include("pages.urls_reputation")),
    path("innovators/", include("innovators.urls")),
    path("impact/", include("impact.urls")),
    path("accounts/profile/", pages.profile, name="profile"),
    path("accounts/api-tokens/", include("api.urls_tokens")),
    path("accounts/", include("privacy.urls")),
    path("api/", include("api.urls")),
    path("accounts/", include("allauth.urls")),
    # Before the admin's own: staff sign in on the portal's throttled page (core.admin_login).
    path("admin/login/", admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
]

# The load benchmark's baselines (bench/load.py), only when a benchmark run asks for them.
if settings.BENCH_BASELINE_VIEWS:
    urlpatterns.append(path("_baseline/", include("baseline.urls")))
