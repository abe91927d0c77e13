from django.urls import path

from . import views

app_name = "stories"
urlpatterns = [
    path("new/", views.story_new, name="new"),  # "new" is a reserved username
    path("<str:username>/", views.person, name="person"),
    path("<str:username>/seen/", views.seen_all, name="seen_all"),
    path("<str:username>/<int:pk>/seen/", views.seen, name="seen"),
    path("<str:username>/<int:pk>/viewers/", views.viewers, name="viewers"),
    path("<str:username>/<int:pk>/delete/", views.delete, name="delete"),
    path("<str:username>/<int:pk>/delete/confirm/", views.delete_confirm, name="delete_confirm"),
]
