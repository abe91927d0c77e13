"""The client API: the instance and what clients ask at start-up (issue 14).

`GET /api/v1/instance` and `/api/v2/instance` (no token needed) in Mastodon's shapes. `version` is
"4.3.0 (compatible; Instaclone 1.0)": clients (Mastodon.py's version check among them) read the part
before the space as the Mastodon API level implemented; v2's `api_versions.mastodon` is 2, as 4.3
says. The limits are the ones the web's forms and the upload pipeline enforce (caption length,
`max_media()`, the image and video byte caps and formats).

Also the small reads real clients make at start-up, so they do not fail on a 404: custom emojis
(none), preferences (from the account), filters, lists, announcements and rules (none kept here:
empty lists), markers (not kept: empty)."""

from __future__ import annotations

from email.utils import parseaddr

from django.conf import settings
from django.http import JsonResponse
from django.templatetags.static import static
from django.urls import path, re_path

from instaclone.api import endpoint, methods
from instaclone.media.images import ACCEPTED_FORMATS
from instaclone.media.videos import VIDEO_MAX_EDGE, VIDEO_MAX_FPS
from posts.models import Post, PostMedia
from posts.services import max_media
from social.selectors import instance_stats

SOFTWARE = "Instaclone"
SOFTWARE_VERSION = "1.0"
MASTODON_API_LEVEL = "4.3.0"
VERSION = f"{MASTODON_API_LEVEL} (compatible; {SOFTWARE} {SOFTWARE_VERSION})"
DESCRIPTION = "Share photos and videos with the people you follow."
_IMAGE_TYPES = {"JPEG": ["image/jpeg"], "PNG": ["image/png"], "WEBP": ["image/webp"], "HEIF": ["image/heic", "image/heif"]}
VIDEO_TYPES = ["video/mp4", "video/quicktime", "video/webm"]  # instaclone.media.videos.sniff_video


def contact_email() -> str:
    return getattr(settings, "INSTANCE_CONTACT_EMAIL", "") or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def _mime_types() -> list[str]:
    images = [t for fmt in sorted(ACCEPTED_FORMATS) for t in _IMAGE_TYPES.get(fmt, [])]
    return images + VIDEO_TYPES


def _caption_limit() -> int:
    return Post._meta.get_field("caption").max_length


def _statuses_config() -> dict:
    return {"max_characters": _caption_limit(), "max_media_attachments": max_media(), "characters_reserved_per_url": 23}


def _media_config() -> dict:
    return {
        "supported_mime_types": _mime_types(),
        "description_limit": PostMedia._meta.get_field("alt_text").max_length,
        "image_size_limit": settings.IMAGE_MAX_BYTES,
        "image_matrix_limit": settings.IMAGE_MAX_PIXELS,
        "video_size_limit": settings.VIDEO_MAX_BYTES,
        "video_frame_rate_limit": VIDEO_MAX_FPS,  # the transcode's -fpsmax
        "video_matrix_limit": VIDEO_MAX_EDGE * VIDEO_MAX_EDGE,
    }


_POLLS = {"max_options": 0, "max_characters_per_option": 0, "min_expiration": 0, "max_expiration": 0}


@endpoint(auth="optional")
def instance_v1(request):
    host = request.get_host()
    users, posts = instance_stats()
    thumbnail = request.build_absolute_uri(static("img/header.png"))
    return JsonResponse({
        "uri": host,
        "title": SOFTWARE,
        "short_description": DESCRIPTION,
        "description": DESCRIPTION,
        "email": contact_email(),
        "version": VERSION,
        "urls": {"streaming_api": None},  # no streaming (as v2's `streaming`): clients poll
        "stats": {"user_count": users, "status_count": posts, "domain_count": 0},
        "thumbnail": thumbnail,
        "languages": ["en"],
        "registrations": True,
        "approval_required": False,
        "invites_enabled": False,
        "configuration": {
            "accounts": {"max_featured_tags": 0},
            "statuses": _statuses_config(),
            "media_attachments": _media_config(),
            "polls": _POLLS,
        },
        "contact_account": None,
        "rules": [],
    })


@endpoint(auth="optional")
def instance_v2(request):
    host = request.get_host()
    users, _ = instance_stats()
    thumbnail = request.build_absolute_uri(static("img/header.png"))
    return JsonResponse({
        "domain": host,
        "title": SOFTWARE,
        "version": VERSION,
        "source_url": "",
        "description": DESCRIPTION,
        "usage": {"users": {"active_month": users}},
        "thumbnail": {"url": thumbnail, "blurhash": None, "versions": {}},
        "icon": [],
        "languages": ["en"],
        "configuration": {
            "urls": {"streaming": None, "status": None},
            "vapid": {"public_key": ""},
            "accounts": {"max_featured_tags": 0, "max_pinned_statuses": 0},
            "statuses": _statuses_config(),
            "media_attachments": _media_config(),
            "polls": _POLLS,
            "translation": {"enabled": False},
        },
        "registrations": {"enabled": True, "approval_required": False, "message": None, "url": None},
        "api_versions": {"mastodon": 2},
        "contact": {"email": contact_email(), "account": None},
        "rules": [],
    })


@endpoint(auth="optional")
def custom_emojis(request):
    return JsonResponse([], safe=False)


@endpoint(scope="read:accounts")
def preferences(request):
    return JsonResponse({
        "posting:default:visibility": "private" if request.user.is_private else "public",
        "posting:default:sensitive": False,
        "posting:default:language": None,
        "reading:expand:media": "default",
        "reading:expand:spoilers": False,
    })


def _empty_list(scope: str):
    @endpoint(scope=scope)
    def view(request):
        return JsonResponse([], safe=False)

    return view


@endpoint(scope="read:statuses")
def markers(request):
    return JsonResponse({})


@endpoint(auth="optional")
def rules(request):
    return JsonResponse([], safe=False)


urlpatterns = [
    # Mastodon.py asks for "/api/v1/instance/" (Rails answers either): the slash is optional here
    re_path(r"^v1/instance/?$", methods(GET=instance_v1), name="instance_v1"),
    re_path(r"^v2/instance/?$", methods(GET=instance_v2), name="instance_v2"),
    path("v1/instance/rules", methods(GET=rules), name="instance_rules"),
    path("v1/custom_emojis", methods(GET=custom_emojis), name="custom_emojis"),
    path("v1/preferences", methods(GET=preferences), name="preferences"),
    path("v1/filters", methods(GET=_empty_list("read:filters")), name="filters"),
    path("v2/filters", methods(GET=_empty_list("read:filters")), name="filters_v2"),
    path("v1/lists", methods(GET=_empty_list("read:lists")), name="lists"),
    path("v1/announcements", methods(GET=_empty_list("read")), name="announcements"),
    path("v1/markers", methods(GET=markers), name="markers"),
]
