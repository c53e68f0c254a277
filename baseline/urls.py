"""Mounted at ``_baseline/`` only when settings.BENCH_BASELINE_VIEWS is on (ideaportal/urls.py)."""

from django.urls import path

from . import views

app_name = "baseline"

urlpatterns = [
    path("select/", views.select, name="select"),
    path("insert/", views.insert, name="insert"),
]
