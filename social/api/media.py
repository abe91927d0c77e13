"""The client API: media endpoints (issue 14)."""

urlpatterns: list = []
