"""Reads for posts. Every posts page and fragment starts from `post_queryset(viewer)`, which starts
from `Post.objects.visible_to(viewer)` (the visibility rule of accounts.visibility plus moderation)."""

from __future__ import annotations

from django.conf import settings
from django.db.models import F, Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import User
from instaclone.pagination import Page, keyset_page

from .models import Hashtag, Post, PostHashtag, PostMedia, post_visible_q


def page_size() -> int:
    return int(getattr(settings, "POSTS_PAGE_SIZE", 24))


def _signed_in(viewer) -> bool:
    return viewer is not None and getattr(viewer, "is_authenticated", False)


def post_queryset(viewer, *, published_only: bool = False) -> QuerySet[Post]:
    """Posts the viewer may see (`Post.objects.visible_to`: authors see their own hidden posts with
    a notice, staff see hidden posts, privacy and blocks apply to everyone; `published_only` drops
    hidden posts for all), with the author joined and media prefetched (2 queries per list)."""
    return (
        Post.objects.visible_to(viewer, published_only=published_only)
        .select_related("author")
        .prefetch_related(Prefetch("media", queryset=PostMedia.objects.order_by("position")))
    )


def post_get_for_viewer(viewer, pk, *, with_media: bool = True) -> Post:
    """A post the viewer may see, or 404 (a hidden or invisible post does not exist for them).
    `with_media=False` skips the media prefetch, for writes that only need the access check."""
    qs = post_queryset(viewer)
    if not with_media:
        qs = qs.prefetch_related(None)
    return get_object_or_404(qs, pk=pk)


def post_get_for_author(user, pk) -> Post:
    """A post for editing or deleting: only its author gets it; anyone else gets 404."""
    if not _signed_in(user):
        raise Http404("No such post.")
    return get_object_or_404(
        Post.objects.select_related("author").prefetch_related(
            Prefetch("media", queryset=PostMedia.objects.order_by("position"))
        ),
        pk=pk,
        author_id=user.pk,
    )


def profile_grid_page(viewer, owner: User, cursor: str | None) -> Page:
    """One page of an owner's posts for the profile grid, newest first."""
    return keyset_page(post_queryset(viewer).filter(author_id=owner.pk), cursor, page_size())


def hashtag_get(name: str) -> Hashtag:
    return get_object_or_404(Hashtag, name=(name or "").lower())


def hashtag_page(viewer, name: str, cursor: str | None) -> tuple[Hashtag, Page]:
    """The hashtag and one page of visible posts with it; 404 unless the viewer may see at least one
    post with the tag (a tag used only on private, blocked or hidden posts does not exist for them:
    its page would confirm that someone wrote it)."""
    tag = hashtag_get(name)
    visible_with_tag = post_queryset(viewer).filter(posthashtag__hashtag=tag)
    # Order by the tag row's copy of (created, post id) so the database walks the
    # (hashtag, -created, -post) index and stops after one page, instead of sorting every post with
    # the tag. The values equal the post's own, so the cursor is the same either way.
    qs = visible_with_tag.annotate(tag_created=F("posthashtag__created"), tag_post=F("posthashtag__post_id"))
    page = keyset_page(qs, cursor, page_size(), created_field="tag_created", id_field="tag_post")
    # A non-empty page proves access at no extra cost; an empty first page disproves it. Only an
    # empty later page (the end of a scroll) needs one more query.
    if not page.items and (cursor is None or not visible_with_tag.prefetch_related(None).exists()):
        raise Http404("No such hashtag.")
    return tag, page


HASHTAG_COUNT_CAP = 10_000


def hashtag_post_count(tag: Hashtag) -> int:
    """How many public, visible posts use the tag (what anyone may see, as Instagram shows), counted
    up to HASHTAG_COUNT_CAP so a popular tag costs a bounded index walk. Private, hidden and
    suspended authors' posts are not counted: the number must not reveal them."""
    public = PostHashtag.objects.filter(post_visible_q(None, "post"), hashtag=tag)  # what anonymous sees
    return public[: HASHTAG_COUNT_CAP + 1].count()


def hashtags_visible_to(viewer, names_qs):
    """Hashtags from `names_qs` that at least one post the viewer may see uses (search must not
    offer a tag that only exists on a private or hidden post)."""
    from django.db.models import Exists, OuterRef

    visible_posts = post_queryset(viewer).prefetch_related(None).values("pk")
    return names_qs.filter(
        Exists(PostHashtag.objects.filter(hashtag=OuterRef("pk"), post__in=visible_posts))
    )


def users_who_may_see_posts_of(author: User, user_ids) -> list[User]:
    """Of the given users, the active ones allowed to see the author's posts (one query): no block
    either way, and the author is public or they follow the author. Used to decide who a mention
    notifies; the author is left out."""
    user_ids = [pk for pk in user_ids if pk != author.pk]
    if not user_ids:
        return []
    return list(User.objects.audience_of(author).filter(pk__in=user_ids).order_by("pk"))
