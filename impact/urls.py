from django.urls import path

from . import views

app_name = "impact"

urlpatterns = [
    path("ideas/<int:idea_id>/follow-up/", views.follow_up_schedule, name="schedule"),
    path("follow-ups/<int:follow_up_id>/close/", views.follow_up_close, name="close"),
]
