from django.conf import settings


def site(request):
    # `here`: the page's path and query, where no-JS forms return to (`next`); computed once per
    # render instead of once per form.
    # `LIVE_UPDATES`: whether signed-in pages open the live socket (static/js/live.js, <body data-live>);
    # `LIVE_BADGE_POLL`: the badges' slow safety refresh (seconds) while that socket is open.
    return {
        "SITE_NAME": "Instaclone", "IMAGEKIT_ENABLED": settings.IMAGEKIT_ENABLED, "here": request.get_full_path(),
        "LIVE_UPDATES": settings.LIVE_UPDATES, "LIVE_BADGE_POLL": settings.LIVE_BADGE_POLL,
    }
