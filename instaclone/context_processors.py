from django.conf import settings


def site(request):
    return {"SITE_NAME": "Instaclone", "IMAGEKIT_ENABLED": settings.IMAGEKIT_ENABLED}
