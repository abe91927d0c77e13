"""The client API: media (issue 14). Mastodon clients upload each photo or video before the status
that uses it; here an upload is a `posts.MediaDraft`, validated by the web's own upload pipeline
when it arrives (`posts.services.media_draft_create`) and turned into a post's media by
`POST /api/v1/statuses` (social/api/statuses.py). Unused uploads are deleted after a day by the
media sweep (posts.management.commands.sweep_media, run daily by the task scheduler).

- `POST /api/v2/media`, `POST /api/v1/media`: multipart `file`, `description` (alt text); `focus`
  and `thumbnail` are ignored. 200 with a MediaAttachment whose `url` is set at once (the file was
  processed during the request; Mastodon.py's `media_post(synchronous=True)` returns at once). A
  refused file is a 422 with the pipeline's message. 30 uploads per 30 minutes per person. A body
  larger than any acceptable file (plus room for the form) is a 413 before the token is checked and
  before anything reads it (`endpoint(max_body=upload_max_body)`).
- `GET /api/v1/media/:id`, `PUT /api/v1/media/:id` (`description`): the caller's own uploads
  only (404 for anyone else's, and once posted).
All need `write:media`, as on Mastodon.
"""

from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.urls import path

from instaclone.api import ApiError, Params, endpoint, methods, object_id, rate_limit
from posts import selectors, services

from . import serializers

UPLOAD_RATE = (30, 30 * 60)  # Mastodon's: 30 uploads per 30 minutes


def upload_max_body() -> int:
    """The largest upload request taken: the largest acceptable file plus room for the form (read
    per request: the pipeline's caps are settings)."""
    return max(settings.IMAGE_MAX_BYTES, settings.VIDEO_MAX_BYTES) + 1024 * 1024


@endpoint(scope="write:media", max_body=upload_max_body)
def media_create(request):
    limit, period = UPLOAD_RATE
    rate_limit(f"api-media:{request.user.pk}", limit=limit, period=period)
    params = Params(request)
    upload = params.files.get("file")
    if upload is None:
        raise ApiError(422, "Validation failed: File can't be blank")
    draft = services.media_draft_create(owner=request.user, upload=upload, alt_text=params.text("description"))
    return JsonResponse(serializers.draft_attachment(draft, request))


@endpoint(scope="write:media")
def media_get(request, id):  # noqa: A002 - Mastodon's name
    draft = selectors.media_draft_get_for_owner(request.user, object_id(id))
    return JsonResponse(serializers.draft_attachment(draft, request))


@endpoint(scope="write:media")
def media_update(request, id):  # noqa: A002
    draft = selectors.media_draft_get_for_owner(request.user, object_id(id))
    params = Params(request)
    if params.has("description"):
        draft = services.media_draft_update(draft=draft, alt_text=params.text("description"))
    return JsonResponse(serializers.draft_attachment(draft, request))


urlpatterns = [
    path("v2/media", methods(POST=media_create), name="media_create"),
    path("v1/media", methods(POST=media_create), name="media_create_v1"),
    path("v1/media/<str:id>", methods(GET=media_get, PUT=media_update), name="media"),
]
