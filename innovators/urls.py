from django.urls import path

from . import views

app_name = "innovators"

urlpatterns = [
    path("questionnaire/", views.questionnaire, name="questionnaire"),
]
