from django.urls import path

from . import views

app_name = "attachments"

urlpatterns = [
    path("<int:pk>/thumbnail/", views.attachment_thumbnail, name="thumbnail"),
    path("<int:pk>/<str:name>", views.attachment_file, name="file"),
]
