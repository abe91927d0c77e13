"""The client API: accounts endpoints (issue 14)."""

urlpatterns: list = []
