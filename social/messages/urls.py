"""Direct messages, namespace `direct` (included at /direct/ by instaclone/urls.py; "direct" is a
reserved username). State changes are POST only."""
from django.urls import path

from . import views

app_name = "direct"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("requests/", views.requests, name="requests"),
    path("new/", views.new, name="new"),
    path("badge/", views.badge, name="badge"),
    path("t/<int:pk>/", views.conversation, name="conversation"),
    path("t/<int:pk>/after/", views.after, name="after"),
    path("t/<int:pk>/send/", views.send, name="send"),
    path("t/<int:pk>/seen/", views.seen, name="seen"),
    path("t/<int:pk>/accept/", views.accept, name="accept"),
    path("t/<int:pk>/decline/", views.decline, name="decline"),
    path("t/<int:pk>/block/", views.block, name="block"),
    path("t/<int:pk>/details/", views.details, name="details"),
    path("t/<int:pk>/name/", views.rename, name="rename"),
    path("t/<int:pk>/add/", views.add, name="add"),
    path("t/<int:pk>/leave/", views.leave, name="leave"),
    path("m/<int:pk>/delete/", views.delete, name="delete"),
    path("share/<int:post_id>/", views.share, name="share"),
    path("story/<int:story_id>/reply/", views.story_reply, name="story_reply"),
]
