"""JSON shapes of the client API, as Mastodon's documentation gives them (entities Account,
Relationship, MediaAttachment, Status, Tag). Plain functions from already-read objects to dicts: no
query here except where a function says so (`statuses` reads the page's viewer flags, mentions and
tags in constant queries through posts.selectors).

Ids are strings. A post is a status with its own id; a comment is a status too (a reply to its
post, as Mastodon shows replies), numbered `COMMENT_STATUS_BASE + comment id` so the two never
collide (`status_ref` tells them apart).
"""

from __future__ import annotations

from datetime import UTC, datetime, time

from django.http import Http404, HttpRequest
from django.templatetags.static import static

from instaclone.api import parse_id
from instaclone.links import link
from instaclone.media.renditions import original_url, rendition_url
from instaclone.media.urls import file_url
from posts.selectors import mentions_and_tags, viewer_state
from posts.text import render_caption

COMMENT_STATUS_BASE = 10**15
PREVIEW_WIDTH = 640
FULL_WIDTH = 1080


def iso(value: datetime | None) -> str | None:
    """Mastodon's time format: UTC, milliseconds, "Z"."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def absolute(request: HttpRequest, url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return request.build_absolute_uri(url)


# --- status ids --------------------------------------------------------------------------------


def comment_status_id(comment_id: int) -> str:
    return str(COMMENT_STATUS_BASE + comment_id)


def status_ref(value) -> tuple[str, int]:
    """("post", id) or ("comment", id) for a status id from a path or parameter; 404 otherwise."""
    number = parse_id(value)
    if number is None:
        raise Http404
    if number >= COMMENT_STATUS_BASE:
        return "comment", number - COMMENT_STATUS_BASE
    return "post", number


# --- accounts ----------------------------------------------------------------------------------


def account(user, request: HttpRequest, *, source: bool = False, follow_requests_count: int = 0) -> dict:
    """Mastodon's Account. `source=True` adds what verify_credentials returns about oneself."""
    url = absolute(request, user.get_absolute_url())
    avatar = absolute(request, user.avatar_url)
    header = absolute(request, static("img/header.png"))
    joined = user.date_joined.astimezone(UTC).date()
    fields = []
    if user.website:
        fields.append({"name": "Website", "value": _website_html(user.website), "verified_at": None})
    data = {
        "id": str(user.pk),
        "username": user.username,
        "acct": user.username,
        "display_name": user.display_name or "",
        "locked": user.is_private,
        "bot": False,
        "discoverable": not user.is_private,
        "indexable": False,
        "group": False,
        "noindex": user.is_private,
        "created_at": iso(datetime.combine(joined, time(), tzinfo=UTC)),
        "note": f"<p>{render_caption(user.bio)}</p>" if user.bio else "",
        "url": url,
        "uri": url,
        "avatar": avatar,
        "avatar_static": avatar,
        "header": header,
        "header_static": header,
        "followers_count": user.follower_count,
        "following_count": user.following_count,
        "statuses_count": user.post_count,
        "last_status_at": None,
        "hide_collections": False,
        "emojis": [],
        "fields": fields,
    }
    if source:
        data["source"] = {
            "privacy": "private" if user.is_private else "public",
            "sensitive": False,
            "language": "",
            "note": user.bio,
            "fields": [{"name": "Website", "value": user.website, "verified_at": None}] if user.website else [],
            "follow_requests_count": follow_requests_count,
        }
    return data


def _website_html(url: str) -> str:
    from django.utils.html import format_html

    return format_html('<a href="{}" rel="nofollow noopener noreferrer me" target="_blank">{}</a>', url, url)


def relationship(user_id: int, *, following=False, followed_by=False, requested=False, requested_by=False,
                 blocking=False, blocked_by=False) -> dict:
    """Mastodon's Relationship (mutes, notes, languages and domain blocks do not exist here)."""
    return {
        "id": str(user_id),
        "following": following,
        "showing_reblogs": following,
        "notifying": False,
        "languages": None,
        "followed_by": followed_by,
        "blocking": blocking,
        "blocked_by": blocked_by,
        "muting": False,
        "muting_notifications": False,
        "requested": requested,
        "requested_by": requested_by,
        "domain_blocking": False,
        "endorsed": False,
        "note": "",
    }


# --- media ------------------------------------------------------------------------------------


def _attachment(pk, kind: str, *, url, preview, width: int, height: int, alt_text: str) -> dict:
    """Mastodon's MediaAttachment: the one shape of a post's media and of an upload not yet posted."""
    size = {}
    if width and height:
        size = {"width": width, "height": height, "size": f"{width}x{height}", "aspect": round(width / height, 4)}
    return {
        "id": str(pk),
        "type": "video" if kind == "video" else "image",
        "url": url,
        "preview_url": preview or None,
        "remote_url": None,
        "preview_remote_url": None,
        "text_url": None,
        "meta": {"original": size} if size else {},
        "description": alt_text or None,
        "blurhash": None,
    }


def attachment(media, request: HttpRequest) -> dict:
    """A post's photo or video (`media.post.author` must be loaded: a private account's URLs are
    signed)."""
    preview = absolute(request, rendition_url(media, PREVIEW_WIDTH))
    if media.kind == "video":
        ready = getattr(media, "status", "ready") == "ready"
        full = absolute(request, original_url(media)) if ready else None
    else:
        full = absolute(request, rendition_url(media, FULL_WIDTH))
    return _attachment(media.pk, media.kind, url=full, preview=preview, width=media.width, height=media.height,
                       alt_text=media.alt_text)


def draft_attachment(draft, request: HttpRequest) -> dict:
    """An upload not yet in a post (`posts.MediaDraft`): its owner's alone, so its URL is signed and
    expires (PRIVATE_MEDIA_URL_TTL); it is ready at once (the pipeline ran during the upload), so
    `url` is never null."""
    url = absolute(request, file_url(draft.file, private=True))
    return _attachment(draft.pk, draft.kind, url=url, preview=None if draft.kind == "video" else url,
                       width=draft.width, height=draft.height, alt_text=draft.alt_text)


# --- statuses ---------------------------------------------------------------------------------


def _visibility(author) -> str:
    return "private" if author.is_private else "public"


def _mention(user, request: HttpRequest) -> dict:
    return {"id": str(user.pk), "username": user.username, "acct": user.username,
            "url": absolute(request, user.get_absolute_url())}


def status(post, request: HttpRequest, *, favourited: bool = False, bookmarked: bool = False,
           mentions=(), tags=()) -> dict:
    """Mastodon's Status for a post read through `Post.objects.visible_to` with its author and
    media loaded. `mentions` are the mentioned people the viewer may see (they alone are links in
    `content`); `tags` hashtag names."""
    url = absolute(request, post.get_absolute_url())
    known = frozenset(u.username.lower() for u in mentions)
    content = render_caption(post.caption, known)
    return {
        "id": str(post.pk),
        "uri": url,
        "url": url,
        "created_at": iso(post.created),
        "edited_at": None,
        "account": account(post.author, request),
        "content": f"<p>{content}</p>" if content else "",
        "visibility": _visibility(post.author),
        "sensitive": False,
        "spoiler_text": "",
        "media_attachments": [attachment(m, request) for m in post.media.all()],
        "application": None,
        "mentions": [_mention(u, request) for u in mentions],
        "tags": [{"name": t, "url": absolute(request, link("hashtag", t))} for t in tags],
        "emojis": [],
        "reblogs_count": 0,
        "favourites_count": post.like_count,
        "replies_count": post.comment_count,
        "in_reply_to_id": None,
        "in_reply_to_account_id": None,
        "reblog": None,
        "poll": None,
        "card": None,
        "language": None,
        "text": None,
        "favourited": favourited,
        "reblogged": False,
        "muted": False,
        "bookmarked": bookmarked,
        "pinned": False,
        "filtered": [],
    }


def statuses(posts, request: HttpRequest) -> list[dict]:
    """Statuses for a page of posts: the viewer's favourited/bookmarked flags (from the posts'
    `viewer_liked`/`viewer_saved` columns when the read added them, else one query each), and
    mentions and tags (two queries). Constant queries for any number of posts."""
    posts = list(posts)
    viewer = request.user
    if posts and all(hasattr(p, "viewer_liked") for p in posts):
        liked = {p.pk for p in posts if p.viewer_liked}
        saved = {p.pk for p in posts if p.viewer_saved}
    else:
        liked, saved = viewer_state(viewer, [p.pk for p in posts])
    mentioned, tags = mentions_and_tags(viewer, [p.pk for p in posts])
    return [
        status(p, request, favourited=p.pk in liked, bookmarked=p.pk in saved,
               mentions=mentioned.get(p.pk, ()), tags=tags.get(p.pk, ()))
        for p in posts
    ]


def comment_status(comment, post, request: HttpRequest, *, known_mentions=frozenset()) -> dict:
    """A comment as Mastodon's Status: a reply to its post (`in_reply_to_id`), in its post's
    visibility, without media. `known_mentions`: lower-case names its @mentions may link to (a
    comment read by posts.selectors already has its `body_html`, which is used instead)."""
    url = absolute(request, f"{post.get_absolute_url()}#comment-{comment.pk}")
    content = getattr(comment, "body_html", None)
    if content is None:
        content = render_caption(comment.body, known_mentions)
    return {
        "id": comment_status_id(comment.pk),
        "uri": url,
        "url": url,
        "created_at": iso(comment.created),
        "edited_at": None,
        "account": account(comment.author, request),
        "content": f"<p>{content}</p>",
        "visibility": _visibility(post.author),
        "sensitive": False,
        "spoiler_text": "",
        "media_attachments": [],
        "application": None,
        "mentions": [],
        "tags": [],
        "emojis": [],
        "reblogs_count": 0,
        "favourites_count": 0,
        "replies_count": 0,
        "in_reply_to_id": str(post.pk),
        "in_reply_to_account_id": str(post.author_id),
        "reblog": None,
        "poll": None,
        "card": None,
        "language": None,
        "text": None,
        "favourited": False,
        "reblogged": False,
        "muted": False,
        "bookmarked": False,
        "pinned": False,
        "filtered": [],
    }


def tag(name: str, request: HttpRequest, *, following: bool = False) -> dict:
    """Mastodon's Tag (no usage history is kept)."""
    return {"name": name, "url": absolute(request, link("hashtag", name)), "history": [], "following": following}
