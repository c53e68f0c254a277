from django.urls import path

from . import views_survey as views

app_name = "surveys"

urlpatterns = [
    path("", views.survey_list, name="list"),
    path("<int:job_id>/", views.survey_take, name="take"),
    path("waves/<int:wave_id>/", views.survey_wave, name="wave"),
]
