from django.urls import path

from . import views, views_reports

app_name = "social"
urlpatterns = [
    path("", views.home, name="home"),
    path("report/<str:kind>/<int:pk>/", views_reports.report, name="report"),
]
