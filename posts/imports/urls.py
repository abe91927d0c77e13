from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.import_page, name="page"),
    path("<int:pk>/progress/", views.import_progress, name="progress"),
    path("<int:pk>/cancel/", views.import_cancel, name="cancel"),
]
