from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("data/", views.data_download, name="data"),
    path("delete/", views.account_delete, name="delete"),
]
