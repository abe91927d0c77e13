from django.urls import path

from . import views_interactions

app_name = "posts"
urlpatterns = [
    # likes, saves, comments (posts/views_interactions.py)
    path("<int:pk>/like/", views_interactions.like, name="like"),
    path("<int:pk>/unlike/", views_interactions.unlike, name="unlike"),
    path("<int:pk>/save/", views_interactions.save, name="save"),
    path("<int:pk>/unsave/", views_interactions.unsave, name="unsave"),
    path("<int:pk>/likes/", views_interactions.liked_by, name="liked_by"),
    path("<int:pk>/comments/", views_interactions.comments, name="comments"),
    path("<int:pk>/comments/<int:comment_id>/delete/", views_interactions.comment_delete, name="comment_delete"),
]
