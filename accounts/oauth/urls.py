"""OAuth 2 for the client API (issue 14): app registration, the consent page, tokens, revocation,
server metadata and registration through the API."""

app_name = "oauth"
urlpatterns: list = []
