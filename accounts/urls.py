from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("", views.settings_index, name="settings"),
    path("profile/", views.profile_edit, name="edit"),
]
