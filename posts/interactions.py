"""Likes, saves and comments: services (writes) and selectors (reads).

Services take keyword-only arguments, run in one transaction, fetch the post through the
access-checked selector (`posts.selectors.post_get_for_viewer`: a post the user may not see is a
404, which covers private accounts, blocks either way and hidden posts), and change stored counters
with F() only when a row was really inserted or deleted. The unique constraints on Like and Save are
the final word: liking twice, double clicks and replayed requests leave one row.

Selectors never run a query per card: `cards_context(viewer, posts)` computes everything a page of
post cards needs in a constant number of queries. Every read goes through the visibility rule:
posts through `Post.objects.visible_to` (or `post_visible_q` for rows pointing at a post), comments
through `Comment.objects.visible_to`, likers through `visible_profiles_q` — as on Instagram, a
comment by a private account shows on a public post, while blocks either way and suspended authors
hide it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.http import Http404

from accounts.models import Follow, User
from accounts.visibility import visible_profiles_q
from instaclone.pagination import Page, keyset_page

from .models import Comment, Like, Post, Save, post_visible_q
from .selectors import post_get_for_viewer, users_who_may_see_posts_of
from .signals import comment_created, post_liked, post_unliked
from .text import parse_mentions, render_caption

COMMENT_MAX_LENGTH = 2200
MAX_MENTIONS_PER_COMMENT = 20
COMMENTS_PAGE_SIZE = 20
LIKERS_PAGE_SIZE = 30
SAVED_PAGE_SIZE = 24


def _post_for(viewer, post_id) -> Post:
    """The post if `viewer` may see it, else 404 — through the posts app's one access check (no
    media: likes, saves and comments never render it)."""
    return post_get_for_viewer(viewer, post_id, with_media=False)


# --- Likes ---------------------------------------------------------------------------------------


@transaction.atomic
def like_create(*, user: User, post_id: int) -> Post:
    """Like a post (idempotent). Returns the post with its current like_count."""
    post = _post_for(user, post_id)
    like, created = Like.objects.get_or_create(user=user, post=post)
    if created:
        Post.objects.filter(pk=post.pk).update(like_count=F("like_count") + 1)
        post_liked.send(sender=Like, like=like)
    post.refresh_from_db(fields=["like_count"])
    return post


@transaction.atomic
def like_delete(*, user: User, post_id: int) -> Post:
    """Unlike a post (idempotent). Returns the post with its current like_count."""
    post = _post_for(user, post_id)
    deleted, _ = Like.objects.filter(user=user, post=post).delete()
    if deleted:
        Post.objects.filter(pk=post.pk, like_count__gt=0).update(like_count=F("like_count") - 1)
        post_unliked.send(sender=Like, like_user_id=user.pk, post_id=post.pk)
    post.refresh_from_db(fields=["like_count"])
    return post


# --- Saves ---------------------------------------------------------------------------------------


@transaction.atomic
def save_create(*, user: User, post_id: int) -> Post:
    """Save a post to the user's private Saved list (idempotent)."""
    post = _post_for(user, post_id)
    Save.objects.get_or_create(user=user, post=post)
    return post


@transaction.atomic
def save_delete(*, user: User, post_id: int) -> Post:
    """Remove a post from Saved (idempotent)."""
    post = _post_for(user, post_id)
    Save.objects.filter(user=user, post=post).delete()
    return post


# --- Comments ------------------------------------------------------------------------------------


def comment_clean_body(body: str | None) -> str:
    """The comment text to store, or ValidationError with a message for the person."""
    body = (body or "").strip()
    if not body:
        raise ValidationError("Write something before posting a comment.", code="empty")
    if "\x00" in body:
        raise ValidationError("Comments can't contain null characters.", code="null_characters")
    if len(body) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            f"Comments can be at most {COMMENT_MAX_LENGTH:,} characters (this one has {len(body):,}).",
            code="too_long",
        )
    return body


def _mentionable_users(*, author: User, post: Post, names: list[str]) -> list[User]:
    """Users named in a comment who may be told about it: they exist and are active, are not the
    commenter, neither blocks the commenter, and may see the post (posts.selectors' rule). The
    post's author is left out: the comment itself notifies them."""
    if not names:
        return []
    ids = (
        User.objects.visible_to(author)  # active, no block either way with the commenter
        .by_username(*names)  # compared like the unique constraint, never iexact (accounts.usernames)
        .exclude(pk=author.pk)
        .values_list("pk", flat=True)
    )
    return users_who_may_see_posts_of(post.author, list(ids))


@transaction.atomic
def comment_create(*, user: User, post_id: int, body: str) -> Comment:
    """Add a comment. ValidationError for empty or over-long text; 404 if the post is not visible."""
    post = _post_for(user, post_id)
    body = comment_clean_body(body)
    comment = Comment.objects.create(post=post, author=user, body=body)
    Post.objects.filter(pk=post.pk).update(comment_count=F("comment_count") + 1)
    mentioned = _mentionable_users(author=user, post=post, names=parse_mentions(body)[:MAX_MENTIONS_PER_COMMENT])
    comment_created.send(sender=Comment, comment=comment, mentioned=mentioned)
    post.refresh_from_db(fields=["comment_count"])
    comment.post = post
    with_body_html([comment])
    return comment


@transaction.atomic
def comment_delete(*, user: User, post_id: int, comment_id: int) -> Post:
    """Delete a comment: its author may, and so may the post's author. Others get 403; a comment
    that is not on this (visible) post is a 404."""
    post = _post_for(user, post_id)
    comment = Comment.objects.select_for_update().filter(pk=comment_id, post=post).first()
    if comment is None:
        raise Http404("No such comment.")
    if user.pk not in (comment.author_id, post.author_id):
        raise PermissionDenied("You can only delete your own comments, or comments on your posts.")
    comment.delete()
    Post.objects.filter(pk=post.pk, comment_count__gt=0).update(comment_count=F("comment_count") - 1)
    post.refresh_from_db(fields=["comment_count"])
    return post


# --- Selectors -----------------------------------------------------------------------------------


def visible_comments(viewer):
    """Comments a viewer may see (`Comment.objects.visible_to`): not hidden, by an active author
    with no block either way, on a post they may see. A private account's comment on a public post
    is visible, as on Instagram."""
    return Comment.objects.visible_to(viewer)


def with_body_html(comments):
    """Set `comment.body_html`: the text escaped, with @mentions and #hashtags linked (posts.text)."""
    for comment in comments:
        comment.body_html = render_caption(comment.body)
    return comments


def comments_page(viewer, post: Post, *, cursor: str | None = None, size: int | None = None) -> Page:
    """A post's comments, oldest first, keyset "load more" (1 query). `post` must be visible."""
    qs = visible_comments(viewer).filter(post=post).select_related("author")
    page = keyset_page(qs, cursor, size or COMMENTS_PAGE_SIZE, descending=False)
    with_body_html(page.items)
    return page


def likers_page(viewer, post: Post, *, cursor: str | None = None, size: int | None = None) -> Page:
    """Who liked a post, newest first (1 query). Likes by people the viewer may not see are left out."""
    qs = Like.objects.filter(post=post).filter(visible_profiles_q(viewer, "user")).select_related("user")
    return keyset_page(qs, cursor, size or LIKERS_PAGE_SIZE)


def saved_page(viewer, *, cursor: str | None = None, size: int | None = None) -> Page:
    """The viewer's own Saved posts, newest saved first (2 queries: saves+posts, media). Posts that
    became invisible (hidden, blocked, no longer followed private account) drop out; the viewer's
    own hidden posts stay, with the notice, as everywhere else (`post_visible_q`)."""
    qs = (
        Save.objects.filter(post_visible_q(viewer, "post"), user=viewer)
        .select_related("post", "post__author")
        .prefetch_related("post__media")
    )
    return keyset_page(qs, cursor, size or SAVED_PAGE_SIZE)


def viewer_state(viewer, post_ids) -> tuple[set[int], set[int]]:
    """(liked_ids, saved_ids) among `post_ids` for the viewer: one query each, none if anonymous."""
    post_ids = list(post_ids)
    if not post_ids or not getattr(viewer, "is_authenticated", False):
        return set(), set()
    liked = set(Like.objects.filter(user=viewer, post_id__in=post_ids).values_list("post_id", flat=True))
    saved = set(Save.objects.filter(user=viewer, post_id__in=post_ids).values_list("post_id", flat=True))
    return liked, saved


def latest_comments(post_ids, viewer, n: int = 2) -> dict[int, list[Comment]]:
    """The latest `n` visible comments of each post (shown oldest first), in one query."""
    post_ids = list(post_ids)
    if not post_ids:
        return {}
    rows = (
        visible_comments(viewer)
        .filter(post_id__in=post_ids)
        .select_related("author")
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("post_id")], order_by=[F("created").desc(), F("id").desc()])
        )
        .filter(rank__lte=n)
        .order_by("post_id", "created", "id")
    )
    result: dict[int, list[Comment]] = {pk: [] for pk in post_ids}
    for comment in with_body_html(list(rows)):
        result[comment.post_id].append(comment)
    return result


def liked_by_friend(post_ids, viewer) -> dict[int, User]:
    """For each post, the most recent liker among people the viewer follows (one query)."""
    post_ids = list(post_ids)
    if not post_ids or not getattr(viewer, "is_authenticated", False):
        return {}
    followed = Follow.objects.filter(follower_id=viewer.pk).values("followee_id")
    rows = (
        Like.objects.filter(post_id__in=post_ids, user_id__in=followed)
        .filter(visible_profiles_q(viewer, "user"))
        .select_related("user")
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("post_id")], order_by=[F("created").desc(), F("id").desc()])
        )
        .filter(rank=1)
    )
    return {like.post_id: like.user for like in rows}


def cards_context(viewer, posts) -> dict:
    """Everything a page of post cards needs, in a constant number of queries (0 for no posts;
    otherwise 2 for a signed-in viewer's liked/saved ids, 1 for the latest comments, 1 for
    "liked by <a friend>"; anonymous: 1).

    Returns {"liked_ids": set, "saved_ids": set, "latest_comments": {post_id: [Comment]},
    "liked_by": {post_id: User}} and also sets `post.card_comments` and `post.card_liked_by` on each
    post, which is what posts/_card.html reads (templates cannot index a dict by a variable).
    """
    posts = list(posts)
    ids = [p.pk for p in posts]
    liked_ids, saved_ids = viewer_state(viewer, ids)
    comments = latest_comments(ids, viewer)
    friends = liked_by_friend(ids, viewer)
    for post in posts:
        post.card_comments = comments.get(post.pk, [])
        post.card_liked_by = friends.get(post.pk)
    return {"liked_ids": liked_ids, "saved_ids": saved_ids, "latest_comments": comments, "liked_by": friends}


def detail_context(viewer, post: Post) -> dict:
    """What the post detail page needs for its like/save buttons and comments, in constant
    queries (liked, saved, one page of comments): `context.update(detail_context(viewer, post))`."""
    liked_ids, saved_ids = viewer_state(viewer, [post.pk])
    return {"liked_ids": liked_ids, "saved_ids": saved_ids, "comments": comments_page(viewer, post)}
