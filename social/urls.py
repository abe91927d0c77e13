from django.urls import path

from . import views, views_reports
from .exports import urls as export_urls

app_name = "social"
urlpatterns = [
    path("", views.home, name="home"),
    path("explore/", views.explore, name="explore"),
    path("explore/people/", views.suggested, name="suggested"),
    path("search/", views.search, name="search"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/badge/", views.notifications_badge, name="notifications_badge"),
    path("notifications/requests/", views.follow_requests, name="follow_requests"),
    path("notifications/requests/<str:username>/accept/", views.request_accept, name="request_accept"),
    path("notifications/requests/<str:username>/decline/", views.request_decline, name="request_decline"),
    # state changes (POST only); "social" is a reserved username, so these never shadow a profile
    path("social/follow/<str:username>/", views.follow, name="follow"),
    path("social/unfollow/<str:username>/", views.unfollow, name="unfollow"),
    path("social/remove-follower/<str:username>/", views.follower_remove, name="follower_remove"),
    path("social/block/<str:username>/", views.block, name="block"),
    path("social/unblock/<str:username>/", views.unblock, name="unblock"),
    path("social/blocked/", views.blocked_list, name="blocked"),
    # moderation: report a post, comment or account ("report" is a reserved username)
    path("report/<str:kind>/<int:pk>/", views_reports.report, name="report"),
]
# Settings → Download your information (social/exports/)
urlpatterns += export_urls.urlpatterns
