"""Direct messages (issue 16): conversations one-to-one and in groups, message requests, seen
state. Models here, imported by social.models; services, selectors, views, templates and tests in
this sub-package. Live delivery goes through instaclone.live (published on commit)."""
