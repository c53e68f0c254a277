from django.urls import path

from . import views_landscape

app_name = "opportunities"

urlpatterns = [
    path("", views_landscape.landscape_index, name="index"),
    path("<int:job_id>/", views_landscape.landscape_job, name="job"),
]
