from django.urls import path

from . import views

app_name = "reputation"

urlpatterns = [
    path("points/", views.points, name="points"),
    path("people/<int:pk>/", views.profile, name="profile"),
    path("leaderboard/", views.leaderboard, name="leaderboard"),
]
