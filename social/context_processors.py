from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .messages.selectors import unread_badge_count as direct_unread_badge_count
from .selectors import unread_badge_count


def notifications(request):
    """`unread_notifications` for the nav badge, evaluated only when a template reads it
    (selectors.unread_badge_count: cached per user, forgotten when a notification arrives or the
    notifications page is viewed), and how often the badge asks again (`unread_poll_seconds`)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": SimpleLazyObject(lambda: unread_badge_count(user)),
        "unread_poll_seconds": settings.NOTIFICATIONS_POLL_SECONDS,
        # the nav's Direct badge: conversations with unread messages (cached like the one above)
        "unread_direct": SimpleLazyObject(lambda: direct_unread_badge_count(user)),
    }
