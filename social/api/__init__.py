"""The Mastodon-compatible client API (issue 14): JSON views over the same services, selectors and
visibility rule as the pages. Plumbing (tokens, scopes, errors, pagination) is instaclone/api.py;
JSON shapes are serializers.py; one module per group of endpoints, each with its `urlpatterns`."""
