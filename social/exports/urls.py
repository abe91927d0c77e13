"""Routes of "Download your information", in the `social` namespace (social/urls.py adds them).
Under /settings/ beside accounts' settings pages: the root URLconf tries accounts.urls first and,
when none of its routes matches, goes on to social's."""

from django.urls import path

from . import views

urlpatterns = [
    path("settings/download/", views.data_export, name="data_export"),
    path("settings/download/<int:export_id>/", views.data_export_file, name="data_export_file"),
    path("settings/download/<int:export_id>/delete/", views.data_export_delete, name="data_export_delete"),
]
