"""Writes for posts: create, edit and delete, all or nothing.

Files are validated first (nothing is stored until every file has passed: photos are decoded and
re-encoded without metadata, videos probed by ffprobe), then the originals are stored through
`stored_files()` (deleted again if anything later raises), then the rows are written in one
transaction that also updates the author's stored post_count with F(). Domain signals
(posts.signals) are sent inside that transaction so receivers write in it.

What is slow happens after the request, in `posts.tasks.post_media_process`, enqueued when the post
commits: photo renditions (local storage) and the web MP4 and poster of each video. Until a video is
ready the post is its author's only (`Post.media_pending`, see posts.models.post_visible_q).
"""

from __future__ import annotations

import math
import time
import uuid
from dataclasses import dataclass
from datetime import datetime

from allauth.core.internal.ratelimit import apply_rate, parse_rates
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from accounts.models import User
from instaclone.errors import DomainError
from instaclone.media.files import StorageError, delete_on_commit, stored_files
from instaclone.media.images import ProcessedImage, UploadRejected, process_image
from instaclone.media.renditions import renders_on_the_fly, rendition_names
from instaclone.media.videos import ProcessedVideo, is_video, process_video
from instaclone.tasks import enqueue_on_commit

from .. import signals
from ..models import Hashtag, Post, PostHashtag, PostMedia, PostMention
from ..selectors import users_who_may_see_posts_of
from ..tasks import post_media_process
from ..text import parse_hashtags, parse_mentions
from .collections import collection_items_remove_for_post

CAPTION_MAX_LENGTH = Post._meta.get_field("caption").max_length
ALT_TEXT_MAX_LENGTH = PostMedia._meta.get_field("alt_text").max_length
IMAGE_FOLDER = "posts/images"
VIDEO_FOLDER = "posts/videos"


def max_media() -> int:
    return settings.POST_MAX_MEDIA


# The frame every slide of a post shares (width / height), as Instagram offers at upload: nothing
# taller than 4:5 (a tall photo never makes a card taller) or wider than 1.91:1.
ASPECT_MIN = 4 / 5
ASPECT_MAX = 1.91
ASPECT_PRESETS = {Post.Aspect.SQUARE: 1.0, Post.Aspect.PORTRAIT: 4 / 5, Post.Aspect.LANDSCAPE: 1.91}


def aspect_ratio_for(aspect: str, width: int | None, height: int | None) -> float:
    """The frame's width / height for `aspect`: a preset's own, or (original) the first item's
    shape clamped to [ASPECT_MIN, ASPECT_MAX]; square when the first item's size is unknown."""
    if aspect in ASPECT_PRESETS:
        return ASPECT_PRESETS[aspect]
    if not width or not height:
        return 1.0
    return round(min(ASPECT_MAX, max(ASPECT_MIN, width / height)), 4)


def _validate_aspect(aspect: str | None) -> str:
    aspect = aspect or Post.Aspect.ORIGINAL
    if aspect not in Post.Aspect.values:
        raise ValidationError({"aspect": "Choose square, portrait, landscape or original."}, code="bad_aspect")
    return aspect


@dataclass
class _Prepared:
    kind: str
    alt_text: str
    image: ProcessedImage | None = None
    video: ProcessedVideo | None = None


def _mark(exc: Exception, index: int) -> Exception:
    """Remember which file (0-based) an error concerns, so the form can show it next to that file."""
    exc.file_index = index
    return exc


def _validate_caption(caption: str) -> str:
    caption = (caption or "").strip()
    if "\x00" in caption:  # the web form refuses it too; PostgreSQL cannot store it
        raise ValidationError({"caption": "Captions can't contain null characters."}, code="null_characters")
    if len(caption) > CAPTION_MAX_LENGTH:
        raise ValidationError(
            {"caption": f"Captions can be at most {CAPTION_MAX_LENGTH:,} characters (this one has {len(caption):,})."},
            code="caption_too_long",
        )
    return caption


def _validate_alt(alt_text: str, index: int) -> str:
    alt_text = (alt_text or "").strip()
    if "\x00" in alt_text:  # as captions and comments
        raise _mark(UploadRejected("Alt text can't contain null characters.", code="null_characters"), index)
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
            # Probed now (a file that is not a real video is refused here); the poster frame comes
            # from the transcoded copy, in the task.
            video = process_video(upload, deadline=video_deadline, poster=False)
            return _Prepared(PostMedia.Kind.VIDEO, alt_text, video=video)
        processed, img = process_image(upload)
        img.close()  # renditions are made from the stored original, by the task
        return _Prepared(PostMedia.Kind.IMAGE, alt_text, image=processed)
    except UploadRejected as exc:
        raise _mark(exc, index)


def _store(batch, prepared: _Prepared, index: int) -> str:
    try:
        if prepared.video is not None:
            return batch.save(VIDEO_FOLDER, prepared.video.extension, prepared.video.content)
        return batch.save(IMAGE_FOLDER, prepared.image.extension, prepared.image.content)
    except StorageError as exc:
        raise _mark(exc, index)


def _initial_status(prepared: _Prepared, storage) -> str:
    """Videos are always transcoded; photos need renditions only where the storage does not render
    them on the fly (ImageKit does)."""
    if prepared.video is not None or not renders_on_the_fly(storage):
        return PostMedia.Status.PROCESSING
    return PostMedia.Status.READY


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


class PostRateLimited(DomainError):
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
    aspect: str = Post.Aspect.ORIGINAL,
    idempotency_key: uuid.UUID | None = None,
    rate_limited: bool = False,
    created: datetime | None = None,
    notify_mentions: bool = True,
) -> Post:
    """Create a post from [(upload, alt_text), ...] shown in the frame `aspect` (a Post.Aspect: every
    slide is centre-cropped to it; "original" is the first file's shape within [4:5, 1.91:1], stored
    as `aspect_ratio`). Raises ValidationError (caption, count, aspect),
    UploadRejected or StorageError (with `file_index`); in every failure nothing remains.

    `idempotency_key` (the new-post form's one-time key): when this author already has a post with
    that key, that post is returned and nothing is read or stored (a double click, a retry). Two
    submissions racing past that check meet the unique constraint; the loser's files are deleted and
    it returns the winner's post.

    `rate_limited` (the new-post page): every other submission counts against POST_CREATE_RATE
    before any file is read, whether it then succeeds or not (decoding is the cost being limited);
    over the limit PostRateLimited is raised and nothing is read or stored. Imports leave it off
    (posts.imports: an archive of 500 posts is one person's one action, paced by its task).

    `created` (imports: the post's original date, aware): stored as `Post.created`, so the post sits
    at that date in the profile grid, the hashtag pages and the feeds (a feed row copies its post's
    `created`, so followers' feeds get it in the past, below their recent posts, never as new).
    `notify_mentions=False` (imports): the caption's mentions are stored and linked as usual, but no
    one is notified (an old Instagram caption's @name may be someone else here)."""
    if idempotency_key is not None and (existing := _post_for_key(author, idempotency_key)):
        return existing
    if rate_limited:
        _consume_post_rate(author)
    try:
        return _create(
            author=author, caption=caption, files=files, aspect=aspect, idempotency_key=idempotency_key,
            created=created, notify_mentions=notify_mentions,
        )
    except IntegrityError:
        if idempotency_key is not None and (existing := _post_for_key(author, idempotency_key)):
            return existing
        raise


def _create(
    *, author: User, caption: str, files: list[tuple], aspect: str, idempotency_key: uuid.UUID | None,
    created: datetime | None = None, notify_mentions: bool = True,
) -> Post:
    caption = _validate_caption(caption)
    aspect = _validate_aspect(aspect)
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
    first = prepared[0].image or prepared[0].video
    aspect_ratio = aspect_ratio_for(aspect, first.width, first.height)

    with stored_files() as batch:
        names = [_store(batch, item, i) for i, item in enumerate(prepared)]
        statuses = [_initial_status(item, batch.storage) for item in prepared]
        with transaction.atomic():
            post = Post.objects.create(
                author=author,
                caption=caption,
                aspect=aspect,
                aspect_ratio=aspect_ratio,
                media_count=len(prepared),
                has_video=any(item.video is not None for item in prepared),
                media_pending=any(item.video is not None for item in prepared),
                idempotency_key=idempotency_key,
            )
            if created is not None:  # auto_now_add ignores a given value: set it before anything copies it
                Post.objects.filter(pk=post.pk).update(created=created)
                post.created = created
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
                        status=status,
                    )
                    for i, (item, name, status) in enumerate(zip(prepared, names, statuses, strict=True))
                ]
            )
            if PostMedia.Status.PROCESSING in statuses:
                enqueue_on_commit(post_media_process, post.pk)
            _set_hashtags(post, caption)
            mentioned = _set_mentions(post, caption)
            User.objects.filter(pk=author.pk).update(post_count=F("post_count") + 1)
            notify = users_who_may_see_posts_of(author, [u.pk for u in mentioned]) if notify_mentions and mentioned else []
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
    """Delete the post with its media rows; its files go once the deletion is committed.

    The media rows are read inside the transaction, locked: a media task finishing at the same
    moment either commits first (its new files are read here and deleted) or finds the rows gone
    and deletes what it wrote itself (posts.tasks). `post_deleting` is sent in the transaction
    before the rows go (social keeps the reports on the post and its comments)."""
    with transaction.atomic():
        names: list[str] = []
        for file, renditions in PostMedia.objects.select_for_update().filter(post_id=post.pk).values_list(
            "file", "renditions"
        ):
            names.append(file)
            names.extend(rendition_names(renditions))
        # Count only a row really deleted here: a double click or two moderators acting at once
        # must not decrement the author's post_count twice.
        # An archived post is not counted (services/archive.py), nor one hidden by moderators
        # (social.moderation): read the flags locked, as deleted.
        counted = Post.objects.select_for_update().filter(pk=post.pk, is_archived=False, is_hidden=False).exists()
        signals.post_deleting.send(sender=Post, post_id=post.pk, author_id=post.author_id)
        collection_items_remove_for_post(post_id=post.pk)
        _, per_model = Post.objects.filter(pk=post.pk).delete()
        if per_model.get(Post._meta.label):
            if counted:
                User.objects.filter(pk=post.author_id, post_count__gt=0).update(post_count=F("post_count") - 1)
            delete_on_commit(*dict.fromkeys(names))
