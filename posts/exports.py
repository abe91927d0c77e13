"""Posts' part of "Download your information" (issue 15; the layout is docs/export.md).

Plain reads of the person's own rows (their posts — archived, hidden by moderators or still
processing included: they are theirs — their comments, likes, saves and collections), as
JSON-ready dicts, and the list of their stored media files for `social.exports` to copy into the
archive. A post someone else wrote that the person liked, saved or commented on appears by id and
URL only; its author's username is added only while the person may still see the post
(`post_visible_q`, the visibility rule's post clause, as a column of the same query).

Times are ISO 8601 in UTC (accounts.exports.iso). `site_url` ("https://example.org", no trailing
slash) makes the URLs absolute; the request that asked for the export gave it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from django.db.models import BooleanField, ExpressionWrapper, Prefetch

from accounts.exports import iso
from accounts.models import User
from instaclone.links import link

from .models import Collection, CollectionItem, Comment, Like, Post, PostMedia, Save, post_visible_q

CHUNK = 500


@dataclass(frozen=True)
class MediaFile:
    """One stored file to copy: `name` in the default storage, `path` inside the archive."""

    name: str
    path: str


def media_path(post_id: int, position: int, name: str) -> str:
    """`media/posts/<post id>/<position>-<stored basename>`: unique, and sorted in carousel order."""
    return f"media/posts/{post_id}/{position}-{PurePosixPath(name).name}"


def _url(site_url: str, post_id: int) -> str:
    return f"{site_url}{link('posts:detail', post_id)}"


def posts_part(user: User, *, site_url: str) -> tuple[list[dict], list[MediaFile]]:
    """posts.json, oldest first, and the media files they show (in post and carousel order)."""
    posts = (
        Post.objects.filter(author=user)
        .order_by("created", "id")
        .prefetch_related(
            Prefetch("media", queryset=PostMedia.objects.order_by("position")),
            "hashtags",
        )
    )
    entries: list[dict] = []
    files: list[MediaFile] = []
    for post in posts.iterator(chunk_size=CHUNK):
        media = []
        for item in post.media.all():
            if not item.file:
                continue
            path = media_path(post.pk, item.position, item.file)
            files.append(MediaFile(name=item.file, path=path))
            media.append({
                "path": path,
                "kind": item.kind,
                "alt_text": item.alt_text,
                "width": item.width,
                "height": item.height,
                "position": item.position,
            })
        entries.append({
            "id": post.pk,
            "url": _url(site_url, post.pk),
            "caption": post.caption,
            "created_at": iso(post.created),
            "aspect": post.aspect,
            "aspect_ratio": post.aspect_ratio,
            "is_archived": post.is_archived,
            "like_count": post.like_count,
            "comment_count": post.comment_count,
            "hashtags": sorted(tag.name for tag in post.hashtags.all()),
            "media": media,
        })
    return entries, files


def _visible_column(user: User):
    return ExpressionWrapper(post_visible_q(user, "post"), output_field=BooleanField())


def _engagement(rows, site_url: str) -> list[dict]:
    """Likes or saves (rows of `user`), oldest first: the post by id and URL, and its author's
    username while the person may still see the post."""
    out = []
    for post_id, created, visible, author in rows.iterator(chunk_size=2000):
        out.append({
            "post_url": _url(site_url, post_id),
            "post_id": post_id,
            "created_at": iso(created),
            "author": author if visible else None,
        })
    return out


def likes_part(user: User, *, site_url: str) -> list[dict]:
    """likes.json: the posts the person liked."""
    rows = (
        Like.objects.filter(user=user).annotate(visible=_visible_column(user))
        .order_by("created", "id").values_list("post_id", "created", "visible", "post__author__username")
    )
    return _engagement(rows, site_url)


def saves_part(user: User, *, site_url: str) -> list[dict]:
    """saves.json: the posts the person saved."""
    rows = (
        Save.objects.filter(user=user).annotate(visible=_visible_column(user))
        .order_by("created", "id").values_list("post_id", "created", "visible", "post__author__username")
    )
    return _engagement(rows, site_url)


def comments_part(user: User, *, site_url: str) -> list[dict]:
    """comments.json: the comments the person wrote, on anyone's post, oldest first."""
    rows = (
        Comment.objects.filter(author=user).annotate(visible=_visible_column(user))
        .order_by("created", "id").values_list("post_id", "body", "created", "visible", "post__author__username", "is_hidden")
    )
    return [
        {
            "post_url": _url(site_url, post_id),
            "post_id": post_id,
            "body": body,
            "created_at": iso(created),
            "post_author": author if visible else None,
            "is_hidden": is_hidden,
        }
        for post_id, body, created, visible, author, is_hidden in rows.iterator(chunk_size=2000)
    ]


def collections_part(user: User) -> list[dict]:
    """collections.json: the person's collections, oldest first, each with its posts' ids (oldest
    addition first; the posts are among saves.json's)."""
    collections = list(Collection.objects.filter(owner=user).order_by("created", "id").values_list("pk", "name", "created"))
    items: dict[int, list[int]] = {pk: [] for pk, _, _ in collections}
    rows = (
        CollectionItem.objects.filter(collection__owner=user)
        .order_by("created", "id").values_list("collection_id", "post_id")
    )
    for collection_id, post_id in rows.iterator(chunk_size=2000):
        items[collection_id].append(post_id)
    return [{"name": name, "created_at": iso(created), "post_ids": items[pk]} for pk, name, created in collections]
