"""Writes for media uploaded ahead of their post (the client API: a Mastodon client uploads each
photo or video first, `POST /api/v2/media`, then posts with their ids).

- `media_draft_create` runs the upload through the web's own pipeline (`posts.py`'s `_prepare`:
  content sniffing, size and pixel caps, photos decoded and re-encoded without metadata, videos
  probed by ffprobe) and stores the cleaned file under `MediaDraft.FOLDER`, which is served by
  signed URL only (posts.media_access). A refused file raises the pipeline's UploadRejected and
  stores nothing.
- `post_create_from_drafts` turns the author's drafts into one post through `post_create` (the
  drafts' stored files are read back as its uploads, so every rule of a post - count, caption,
  aspect, rate, idempotency, hashtags, mentions, the media task - is the web's), in one transaction
  with the drafts' deletion; their files go once it commits. Any failure leaves the drafts as they
  were, no post and no new file.
- `media_drafts_expire` deletes drafts never used (with their files): run by the media sweep.
"""

from __future__ import annotations

import logging
import time
import uuid
from contextlib import ExitStack
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from instaclone.errors import DomainError
from instaclone.media.files import StorageError, delete_on_commit, stored_files

from ..models import MediaDraft, Post, PostMedia
from .posts import _prepare, _validate_alt, max_media, post_create

log = logging.getLogger(__name__)

# Uploads waiting for their post, per person: an upload is decoded and stored, so unused ones are
# bounded (besides the API's upload rate); Mastodon keeps unattached media for a day too.
MEDIA_DRAFTS_PENDING_MAX = 40
MEDIA_DRAFT_MAX_AGE = timedelta(days=1)
NO_MEDIA = "A post needs at least one photo or video."


class MediaDraftError(DomainError):
    """A draft that cannot be used (not found, already used, its file lost)."""


def media_draft_create(*, owner: User, upload, alt_text: str = "") -> MediaDraft:
    """Validate `upload` with the upload pipeline and keep it, cleaned, as a draft of `owner`.
    Raises UploadRejected (the pipeline's message), StorageError, or MediaDraftError when the owner
    already has MEDIA_DRAFTS_PENDING_MAX unused uploads; nothing is stored then."""
    if MediaDraft.objects.filter(owner=owner).count() >= MEDIA_DRAFTS_PENDING_MAX:
        raise MediaDraftError(
            f"You have {MEDIA_DRAFTS_PENDING_MAX} uploads waiting to be posted. Post or wait for them to expire first.",
            code="too_many_drafts",
        )
    prepared = _prepare(upload, alt_text, 0, time.monotonic() + settings.VIDEO_PROBE_TIMEOUT)
    processed = prepared.image or prepared.video
    with stored_files() as batch:  # the file goes again if the row cannot be written
        name = batch.save(MediaDraft.FOLDER, processed.extension, processed.content)
        return MediaDraft.objects.create(
            owner=owner,
            kind=prepared.kind,
            file=name,
            width=processed.width,
            height=processed.height,
            alt_text=prepared.alt_text,
        )


def media_draft_update(*, draft: MediaDraft, alt_text: str) -> MediaDraft:
    """Change a draft's alt text (the pipeline's limit; UploadRejected beyond it)."""
    draft.alt_text = _validate_alt(alt_text, 0)
    draft.save(update_fields=["alt_text"])
    return draft


def post_create_from_drafts(
    *,
    author: User,
    caption: str,
    draft_ids: list[int],
    idempotency_key: uuid.UUID | None = None,
    rate_limited: bool = False,
) -> Post:
    """A post of the author's drafts `draft_ids`, in that order, with their alt texts, through
    `post_create`. Raises ValidationError (no or too many media, caption), MediaDraftError (an id
    that is not one of the author's drafts, a draft used meanwhile, a file lost from storage),
    post_create's UploadRejected, StorageError or PostRateLimited; in every failure the drafts stay,
    no post is written and no file is left.

    `idempotency_key`: a post of this author with that key is returned as it is (a retried request,
    whose drafts are gone already)."""
    ids = list(dict.fromkeys(draft_ids))
    if idempotency_key is not None and (
        existing := Post.objects.filter(author=author, idempotency_key=idempotency_key).first()
    ):
        return existing
    if not ids:
        raise ValidationError({"media": NO_MEDIA}, code="no_files")
    if len(ids) > max_media():
        raise ValidationError(
            {"media": f"A post can have at most {max_media()} photos or videos (you chose {len(ids)})."},
            code="too_many_files",
        )
    post: Post | None = None
    names: list[str] = []
    try:
        with transaction.atomic():
            drafts = {d.pk: d for d in MediaDraft.objects.select_for_update().filter(owner=author, pk__in=ids)}
            missing = [str(pk) for pk in ids if pk not in drafts]
            if missing:
                raise MediaDraftError(f"Media not found: {', '.join(missing)}", code="not_found")
            # Claimed first: a second request with the same drafts deletes nothing and stops here.
            deleted, _ = MediaDraft.objects.filter(owner=author, pk__in=ids).delete()
            if deleted != len(ids):
                raise MediaDraftError("These uploads were used by another post just now.", code="used")
            with ExitStack() as files:
                uploads = [(files.enter_context(_open(drafts[pk])), drafts[pk].alt_text) for pk in ids]
                post = post_create(
                    author=author, caption=caption, files=uploads, idempotency_key=idempotency_key,
                    rate_limited=rate_limited,
                )
            names = list(PostMedia.objects.filter(post_id=post.pk).values_list("file", flat=True))
            delete_on_commit(*(d.file for d in drafts.values()))
    except BaseException:
        # post_create's own clean-up covers every failure inside it; only a failed commit of this
        # outer transaction can leave the new post's files behind (its rows are gone).
        if post is not None and names and not Post.objects.filter(pk=post.pk).exists():
            _delete_files(names)
        raise
    return post


def _open(draft: MediaDraft):
    """The draft's stored file, open for reading as an upload (closed by the caller)."""
    try:
        return default_storage.open(draft.file, "rb")
    except (OSError, StorageError) as exc:
        log.warning("media draft %s: its file %s cannot be read: %s", draft.pk, draft.file, exc)
        raise MediaDraftError(
            f"The upload {draft.pk} is no longer available. Upload it again.", code="file_missing"
        ) from exc


def _delete_files(names) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except Exception:  # noqa: BLE001 - logged; the sweep removes what is left
            log.exception("could not delete %s", name)


def media_drafts_expire(*, older_than: timedelta = MEDIA_DRAFT_MAX_AGE) -> int:
    """Delete drafts created more than `older_than` ago, and their files once that commits.
    Returns how many were deleted."""
    cutoff = timezone.now() - older_than
    with transaction.atomic():
        expired = list(MediaDraft.objects.select_for_update().filter(created__lt=cutoff).values_list("pk", "file"))
        if not expired:
            return 0
        MediaDraft.objects.filter(pk__in=[pk for pk, _ in expired]).delete()
        delete_on_commit(*(name for _, name in expired))
    return len(expired)
