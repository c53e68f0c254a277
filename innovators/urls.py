from django.urls import path  # noqa: F401 - the questionnaire's routes come with its views

app_name = "innovators"

urlpatterns: list = []
