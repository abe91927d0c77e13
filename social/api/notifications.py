"""The client API: notifications endpoints (issue 14)."""

urlpatterns: list = []
