"""The person's last-active day for the home feed's fan-out (FEED_ACTIVE_DAYS, docs/feed.md).

Runs after the view and only looks at a user the request already loaded, so it adds no query to a
page: the day is compared with the loaded row and written (one UPDATE) at most once a day per
person. Someone back after more than FEED_ACTIVE_DAYS away gets their feed rebuilt by a task; their
pages merge their followees' posts at read time until it is done (social.selectors.feed_page)."""

from __future__ import annotations

import logging

from django.db import DatabaseError
from django.utils import timezone
from django.utils.functional import empty

from accounts.middleware import is_background
from social import receivers

log = logging.getLogger(__name__)


class FeedActivityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = request.__dict__.get("user")
        if user is None or getattr(user, "_wrapped", None) is empty:
            return response  # never loaded by this request: nothing to compare, no query
        if is_background(request):
            return response  # the nav badge's poll is not the person being active
        if user.is_authenticated and getattr(user, "last_active", None) != timezone.localdate():
            try:
                receivers.activity_record(user)
            except DatabaseError:  # a database outage is the page's business, not this stamp's
                log.warning("could not record activity of user %s", user.pk, exc_info=True)
        return response
