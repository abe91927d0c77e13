"""The client API: search endpoints (issue 14)."""

urlpatterns: list = []
