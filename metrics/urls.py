from django.urls import path

from . import views

app_name = "metrics"

urlpatterns = [
    path("", views.metrics_index, name="index"),
    path("export/<slug:table>.csv", views.metrics_export, name="export"),
    path("implemented/", views.implemented_ideas, name="implemented"),
]
