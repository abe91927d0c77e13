from django.urls import path

from . import views

app_name = "posts"
urlpatterns = [
    path("new/", views.post_new, name="new"),
    path("<int:pk>/", views.post_detail, name="detail"),
    path("<int:pk>/edit/", views.post_edit, name="edit"),
    path("<int:pk>/delete/", views.post_delete, name="delete"),
    path("<int:pk>/delete/confirm/", views.post_delete_confirm, name="delete_confirm"),
    # archive and collections (the Archive page itself is /archive/, instaclone/urls.py)
    path("<int:pk>/archive/", views.post_archive, name="archive"),
    path("<int:pk>/unarchive/", views.post_unarchive, name="unarchive"),
    path("<int:pk>/collections/", views.save_to, name="save_to"),
    path("collections/new/", views.collection_new, name="collection_new"),
    path("collections/<int:pk>/", views.collection_detail, name="collection"),
    path("collections/<int:pk>/edit/", views.collection_edit, name="collection_edit"),
    path("collections/<int:pk>/delete/", views.collection_delete, name="collection_delete"),
    # people tagged in photos
    path("<int:pk>/tags/", views.photo_tags, name="photo_tags"),
    path("<int:pk>/tags/<int:media_id>/", views.photo_tags, name="photo_tags_media"),
    path("<int:pk>/tags/<int:tag_id>/remove/", views.photo_tag_remove, name="photo_tag_remove"),
    path("<int:pk>/tags/remove-me/", views.photo_tags_remove_self, name="photo_tags_remove_self"),
    path("u/<str:username>/grid/", views.profile_grid, name="grid"),
    # likes, saves, comments
    path("<int:pk>/like/", views.like, name="like"),
    path("<int:pk>/unlike/", views.unlike, name="unlike"),
    path("<int:pk>/save/", views.save, name="save"),
    path("<int:pk>/unsave/", views.unsave, name="unsave"),
    path("<int:pk>/likes/", views.liked_by, name="liked_by"),
    path("<int:pk>/comments/", views.comments, name="comments"),
    path("<int:pk>/comments/<int:comment_id>/delete/", views.comment_delete, name="comment_delete"),
]
