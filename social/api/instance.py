"""The client API: instance endpoints (issue 14)."""

urlpatterns: list = []
