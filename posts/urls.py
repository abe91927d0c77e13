from django.urls import path

from . import views

app_name = "posts"
urlpatterns = [
    path("new/", views.post_new, name="new"),
    path("<int:pk>/", views.post_detail, name="detail"),
    path("<int:pk>/edit/", views.post_edit, name="edit"),
    path("<int:pk>/delete/", views.post_delete, name="delete"),
    path("<int:pk>/delete/confirm/", views.post_delete_confirm, name="delete_confirm"),
    path("u/<str:username>/grid/", views.profile_grid, name="grid"),
]
