"""The client API: timelines endpoints (issue 14)."""

urlpatterns: list = []
