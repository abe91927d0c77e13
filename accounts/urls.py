from django.urls import path

from . import views
from .oauth import views as oauth_views

app_name = "accounts"
urlpatterns = [
    path("", views.settings_index, name="settings"),
    path("profile/", views.profile_edit, name="edit"),
    path("apps/", oauth_views.apps_settings, name="apps"),
    path("apps/<int:app_id>/revoke/", oauth_views.app_revoke, name="app_revoke"),
    path("delete/", views.account_delete, name="delete"),
    path("restore/", views.account_restore, name="restore"),
]
