from django.core.cache import cache
from django.utils.functional import SimpleLazyObject

UNREAD_CACHE_SECONDS = 60


def unread_cache_key(user_id: int) -> str:
    return f"social:unread:{user_id}"


def notifications(request):
    """`unread_notifications` for the nav badge: evaluated only when a template reads it, cached
    per user for a minute and invalidated when a notification arrives or the page is viewed."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count():
        key = unread_cache_key(user.pk)
        value = cache.get(key)
        if value is None:
            from .selectors import unread_count

            value = unread_count(user)
            cache.set(key, value, UNREAD_CACHE_SECONDS)
        return value

    return {"unread_notifications": SimpleLazyObject(count)}
