"""The client API: statuses endpoints (issue 14)."""

urlpatterns: list = []
