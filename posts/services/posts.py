"""Writes for posts: create, edit and delete, all or nothing.

Files are validated first (nothing is stored until every file has passed), then stored through
`stored_files()` (deleted again if anything later raises), then the rows are written in one
transaction that also updates the author's stored post_count with F(). Domain signals
(posts.signals) are sent inside that transaction so receivers write in it.
"""

from __future__ import annotations

import math
import time
import uuid
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from allauth.core.internal.ratelimit import apply_rate, parse_rates
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F

from accounts.models import User
from instaclone.media.files import StorageError, delete_on_commit, stored_files
from instaclone.media.images import (
    ProcessedImage,
    UploadRejected,
    process_image,
    still_image,
)
from instaclone.media.renditions import make_renditions, rendition_names
from instaclone.media.videos import ProcessedVideo, is_video, process_video

from .. import signals
from ..models import Hashtag, Post, PostHashtag, PostMedia, PostMention
from ..selectors import users_who_may_see_posts_of
from ..text import parse_hashtags, parse_mentions

CAPTION_MAX_LENGTH = Post._meta.get_field("caption").max_length
ALT_TEXT_MAX_LENGTH = PostMedia._meta.get_field("alt_text").max_length
IMAGE_FOLDER = "posts/images"
VIDEO_FOLDER = "posts/videos"


def max_media() -> int:
    return settings.POST_MAX_MEDIA


@dataclass
class _Prepared:
    kind: str
    alt_text: str
    image: ProcessedImage | None = None
    video: ProcessedVideo | None = None
    pending: _PendingFiles | None = None  # renditions, encoded, not yet stored
    renditions: dict = field(default_factory=dict)


class _PendingFiles:
    """Renditions are encoded while the decoded photo is at hand and written later with the post's
    other files: a 10-photo post then holds ten small JPEGs, not ten 2160-px pixel buffers (about
    19 MB each) while the other photos decode. Looks like a FileBatch to `make_renditions`."""

    def __init__(self, storage):
        self.storage = storage
        self.files: list[tuple[str, str, bytes]] = []
        self.names: dict[str, str] = {}  # width -> index into files

    def save(self, folder: str, extension: str, content: bytes) -> str:
        self.files.append((folder, extension, content))
        return str(len(self.files) - 1)

    @classmethod
    def of(cls, img) -> _PendingFiles | None:
        if img is None:
            return None
        pending = cls(default_storage)
        pending.names = make_renditions(pending, img)
        return pending

    def store(self, batch, original: str) -> dict[str, str]:
        """Write the renditions, named after the original (`<its stem>-<n>`), so that the media view
        finds the post a rendition belongs to with one indexed lookup (posts.media_access)."""
        stem = PurePosixPath(original).stem
        stored = [
            batch.save(folder, extension, content, stem=f"{stem}-{i}")
            for i, (folder, extension, content) in enumerate(self.files)
        ]
        return {width: stored[int(token)] for width, token in self.names.items()}


def _mark(exc: Exception, index: int) -> Exception:
    """Remember which file (0-based) an error concerns, so the form can show it next to that file."""
    exc.file_index = index
    return exc


def _validate_caption(caption: str) -> str:
    caption = (caption or "").strip()
    if len(caption) > CAPTION_MAX_LENGTH:
        raise ValidationError(
            {"caption": f"Captions can be at most {CAPTION_MAX_LENGTH:,} characters (this one has {len(caption):,})."},
            code="caption_too_long",
        )
    return caption


def _validate_alt(alt_text: str, index: int) -> str:
    alt_text = (alt_text or "").strip()
    if len(alt_text) > ALT_TEXT_MAX_LENGTH:
        raise _mark(
            UploadRejected(f"Alt text can be at most {ALT_TEXT_MAX_LENGTH:,} characters.", code="alt_too_long"),
            index,
        )
    return alt_text


def _prepare(upload, alt_text: str, index: int, video_deadline: float | None = None) -> _Prepared:
    alt_text = _validate_alt(alt_text, index)
    try:
        if is_video(upload):
            video = process_video(upload, deadline=video_deadline)
            poster = None
            if video.poster:
                try:
                    poster = still_image(video.poster)
                except UploadRejected:
                    poster = None
            return _Prepared(PostMedia.Kind.VIDEO, alt_text, video=video, pending=_PendingFiles.of(poster))
        processed, img = process_image(upload)
        return _Prepared(PostMedia.Kind.IMAGE, alt_text, image=processed, pending=_PendingFiles.of(img))
    except UploadRejected as exc:
        raise _mark(exc, index)


def _store(batch, prepared: _Prepared, index: int) -> str:
    try:
        if prepared.video is not None:
            name = batch.save(VIDEO_FOLDER, prepared.video.extension, prepared.video.content)
        else:
            name = batch.save(IMAGE_FOLDER, prepared.image.extension, prepared.image.content)
        if prepared.pending is not None:
            prepared.renditions = prepared.pending.store(batch, name)
        return name
    except StorageError as exc:
        raise _mark(exc, index)


def _resolve_mentions(caption: str) -> list[User]:
    names = parse_mentions(caption)
    if not names:
        return []
    return list(User.objects.by_username(*names).filter(is_active=True).order_by("pk"))


def _set_hashtags(post: Post, caption: str) -> None:
    names = parse_hashtags(caption)
    PostHashtag.objects.filter(post=post).exclude(hashtag__name__in=names).delete()
    if not names:
        return
    Hashtag.objects.bulk_create([Hashtag(name=name) for name in names], ignore_conflicts=True)
    tags = Hashtag.objects.filter(name__in=names)
    PostHashtag.objects.bulk_create(
        [PostHashtag(post=post, hashtag=tag, created=post.created) for tag in tags], ignore_conflicts=True
    )


def _set_mentions(post: Post, caption: str) -> list[User]:
    """Store the caption's mentions; return the users newly mentioned."""
    users = _resolve_mentions(caption)
    wanted = {u.pk for u in users}
    PostMention.objects.filter(post=post).exclude(user_id__in=wanted).delete()
    existing = set(PostMention.objects.filter(post=post).values_list("user_id", flat=True))
    new = [u for u in users if u.pk not in existing]
    PostMention.objects.bulk_create([PostMention(post=post, user=u) for u in new], ignore_conflicts=True)
    return new


class PostRateLimited(ValidationError):
    """The author has created POST_CREATE_RATE posts recently; `retry_after` is in seconds."""

    def __init__(self, retry_after: float):
        minutes = max(1, math.ceil(retry_after / 60))
        when = "in a minute" if minutes == 1 else f"in {minutes} minutes"
        super().__init__(
            f"You're sharing posts too quickly. Nothing was posted; you can share again {when}.",
            code="rate_limited",
        )
        self.retry_after = math.ceil(retry_after)


def _consume_post_rate(author: User) -> None:
    """Count one creation against POST_CREATE_RATE (allauth's rate format, e.g. "30/h" or
    "10/10m,30/h", always per author), or raise PostRateLimited.

    allauth's sliding-window arithmetic (`apply_rate`) on the cache directly, not its `consume()`,
    which takes a cache lock first (a lock that cannot be taken makes it wait a second and refuse).
    A Redis outage reads as "no history" (instaclone.cache): the limit fails open and posting keeps
    working. Two requests of one author at the same instant may both pass
    (no lock); the idempotency key already makes a double click one post."""
    now = time.time()
    rates = [(rate, f"posts:create-rate:{author.pk}:{rate.amount}/{rate.duration}") for rate in
             parse_rates(settings.POST_CREATE_RATE)]
    histories = []
    for rate, key in rates:
        allowed, history = apply_rate(cache.get(key, []), now, rate, dry_run=True)
        if not allowed:
            raise PostRateLimited(history[rate.amount - 1] + rate.duration - now)
        histories.append(history)
    for (rate, key), history in zip(rates, histories, strict=True):
        history.insert(0, now)
        cache.set(key, history, int(rate.duration) + 1)


def _post_for_key(author: User, key: uuid.UUID) -> Post | None:
    return Post.objects.filter(author=author, idempotency_key=key).first()


def post_create(
    *,
    author: User,
    caption: str,
    files: list[tuple],
    idempotency_key: uuid.UUID | None = None,
    rate_limited: bool = False,
) -> Post:
    """Create a post from [(upload, alt_text), ...]. Raises ValidationError (caption, count),
    UploadRejected or StorageError (with `file_index`); in every failure nothing remains.

    `idempotency_key` (the new-post form's one-time key): when this author already has a post with
    that key, that post is returned and nothing is read or stored (a double click, a retry). Two
    submissions racing past that check meet the unique constraint; the loser's files are deleted and
    it returns the winner's post.

    `rate_limited` (the new-post page): every other submission counts against POST_CREATE_RATE
    before any file is read, whether it then succeeds or not (decoding is the cost being limited);
    over the limit PostRateLimited is raised and nothing is read or stored."""
    if idempotency_key is not None and (existing := _post_for_key(author, idempotency_key)):
        return existing
    if rate_limited:
        _consume_post_rate(author)
    try:
        return _create(author=author, caption=caption, files=files, idempotency_key=idempotency_key)
    except IntegrityError:
        if idempotency_key is not None and (existing := _post_for_key(author, idempotency_key)):
            return existing
        raise


def _create(*, author: User, caption: str, files: list[tuple], idempotency_key: uuid.UUID | None) -> Post:
    caption = _validate_caption(caption)
    files = list(files or [])
    if not files:
        raise ValidationError({"media": "Add at least one photo or video."}, code="no_files")
    if len(files) > max_media():
        raise ValidationError(
            {"media": f"A post can have at most {max_media()} photos or videos (you chose {len(files)})."},
            code="too_many_files",
        )
    # All videos of one post share one probing budget (a request must end well inside gunicorn's).
    video_deadline = time.monotonic() + settings.VIDEO_PROBE_TIMEOUT
    prepared = [_prepare(upload, alt, i, video_deadline) for i, (upload, alt) in enumerate(files)]

    with stored_files() as batch:
        names = [_store(batch, item, i) for i, item in enumerate(prepared)]
        with transaction.atomic():
            post = Post.objects.create(
                author=author,
                caption=caption,
                media_count=len(prepared),
                has_video=any(item.video is not None for item in prepared),
                idempotency_key=idempotency_key,
            )
            PostMedia.objects.bulk_create(
                [
                    PostMedia(
                        post=post,
                        position=i,
                        kind=item.kind,
                        file=name,
                        width=(item.image or item.video).width,
                        height=(item.image or item.video).height,
                        alt_text=item.alt_text,
                        renditions=item.renditions,
                    )
                    for i, (item, name) in enumerate(zip(prepared, names, strict=True))
                ]
            )
            _set_hashtags(post, caption)
            mentioned = _set_mentions(post, caption)
            User.objects.filter(pk=author.pk).update(post_count=F("post_count") + 1)
            notify = users_who_may_see_posts_of(author, [u.pk for u in mentioned])
            signals.post_created.send(sender=Post, post=post, mentioned=notify, mentioned_users=notify)
    return post


def post_update(*, post: Post, caption: str, alt_texts: list[str] | dict[int, str] | None = None) -> Post:
    """Edit the caption (hashtags and mentions re-parsed) and the alt texts. `alt_texts` is either a
    list in media order or {media_id: text}; media not named keep their alt text."""
    caption = _validate_caption(caption)
    media = list(post.media.all().order_by("position"))
    if isinstance(alt_texts, dict):
        by_id = alt_texts
    else:
        by_id = {m.pk: text for m, text in zip(media, alt_texts or [], strict=False)}
    changed = []
    for i, item in enumerate(media):
        if item.pk in by_id:
            text = _validate_alt(by_id[item.pk], i)
            if text != item.alt_text:
                item.alt_text = text
                changed.append(item)
    with transaction.atomic():
        post.caption = caption
        post.save(update_fields=["caption", "updated"])
        if changed:
            PostMedia.objects.bulk_update(changed, ["alt_text"])
        _set_hashtags(post, caption)
        new_mentions = _set_mentions(post, caption)
        notify = users_who_may_see_posts_of(post.author, [u.pk for u in new_mentions])
        if notify:
            signals.post_mentions_added.send(sender=Post, post=post, mentioned=notify, mentioned_users=notify)
    return post


def post_delete(*, post: Post) -> None:
    """Delete the post with its media rows; its files go once the deletion is committed."""
    names: list[str] = []
    for item in post.media.all():
        names.append(item.file)
        names.extend(rendition_names(item.renditions))
    with transaction.atomic():
        # Count only a row really deleted here: a double click or two moderators acting at once
        # must not decrement the author's post_count twice.
        _, per_model = Post.objects.filter(pk=post.pk).delete()
        if per_model.get(Post._meta.label):
            User.objects.filter(pk=post.author_id, post_count__gt=0).update(post_count=F("post_count") - 1)
            delete_on_commit(*dict.fromkeys(names))
