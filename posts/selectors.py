"""Reads for posts and what people do to them (likes, saves, comments).

Every posts page and fragment starts from `post_queryset(viewer)`, which starts from
`Post.objects.visible_to(viewer)` (the visibility rule of accounts.visibility plus moderation);
comments from `Comment.objects.visible_to`, likers through `visible_profiles_q`, rows pointing at a
post through `post_visible_q`. As on Instagram, a comment by a private account shows on a public
post, while blocks either way and suspended authors hide it.

Nothing here runs a query per card: `cards_context(viewer, posts)` computes everything a page of
post cards needs in a constant number of queries."""

from __future__ import annotations

import copy

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Window
from django.db.models.functions import Lower, RowNumber
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import User
from accounts.usernames import lookup_key
from accounts.visibility import followees_subquery, not_blocked_q, visible_profiles_q
from instaclone.compiled import compiled_fetch, viewer_key
from instaclone.pagination import MAX_ID, Keyset, Page, encode_cursor, keyset_order, keyset_page

from .models import (
    Collection,
    CollectionItem,
    Comment,
    Hashtag,
    Like,
    MediaDraft,
    PhotoTag,
    Post,
    PostHashtag,
    PostMedia,
    PostMention,
    Save,
    post_visible_q,
)
from .sharing import known_mentions, with_mention_names, with_public_preview
from .text import render_caption

COMMENTS_PAGE_SIZE = 20
LIKERS_PAGE_SIZE = 30
SAVED_PAGE_SIZE = 24


def page_size() -> int:
    return int(getattr(settings, "POSTS_PAGE_SIZE", 24))


def _signed_in(viewer) -> bool:
    return viewer is not None and getattr(viewer, "is_authenticated", False)


def post_queryset(viewer, *, published_only: bool = False, with_media: bool = True) -> QuerySet[Post]:
    """Posts the viewer may see (`Post.objects.visible_to`: authors see their own hidden posts with
    a notice, staff see hidden posts, privacy and blocks apply to everyone; `published_only` drops
    hidden posts for all), with the author joined and media prefetched (2 queries per list;
    `with_media=False` leaves the prefetch to the caller)."""
    qs = Post.objects.visible_to(viewer, published_only=published_only).select_related("author")
    if with_media:
        qs = qs.prefetch_related(Prefetch("media", queryset=PostMedia.objects.order_by("position")))
    return qs


def post_get_for_viewer(viewer, pk, *, with_media: bool = True, with_viewer_state: bool = False) -> Post:
    """A post the viewer may see, or 404 (a hidden or invisible post does not exist for them).
    `with_media=False` skips the media prefetch, for writes that only need the access check.
    One query (and the media's), compiled once per kind of viewer (instaclone.compiled).
    `with_viewer_state=True` (the post page) also sets `post.viewer_liked` and `post.viewer_saved`
    for a signed-in viewer (`with_viewer_flags`: EXISTS columns of the same query, which compiled
    cost nothing to build), which `detail_context` reads instead of querying."""
    if type(pk) is not int:
        qs = post_queryset(viewer, with_media=with_media)
        return get_object_or_404(qs, pk=pk)
    if not 0 < pk <= MAX_ID:  # no row has it (and the driver refuses ids past 64 bits)
        raise Http404("No such post.")

    def build(v, pk):
        qs = post_queryset(v, with_media=False).filter(pk=pk)
        return with_public_preview(with_mention_names(with_viewer_flags(qs, v), v)) if with_viewer_state else qs

    key = ("post_get_for_viewer", with_viewer_state, *viewer_key(viewer))
    rows = compiled_fetch(key, build, viewer, pk)
    if not rows:
        raise Http404("No such post.")
    if with_media:
        prefetch_media(rows)
    return rows[0]


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


def profile_grid_page(viewer, owner: User, cursor, size: int | None = None) -> Page:
    """One page of an owner's posts for the profile grid, newest first. The first page (what a
    profile view shows) is compiled once per kind of viewer and page size (instaclone.compiled).
    `cursor` may be a `Keyset` (the client API's max_id / since_id / min_id; an empty one is the
    first page) and `size` another page size (the API's `limit`)."""
    size = size or page_size()
    if cursor:
        return keyset_page(post_queryset(viewer).filter(author_id=owner.pk, is_archived=False), cursor, size)
    key = ("profile_grid_page", size, *viewer_key(viewer))
    order = keyset_order()
    rows = compiled_fetch(
        key,
        lambda v, owner_id: (
            # its author's archived posts are theirs to see, on the Archive page, not on the profile
            post_queryset(v, with_media=False).filter(author_id=owner_id, is_archived=False).order_by(*order)[: size + 1]
        ),
        viewer,
        owner.pk,
    )
    page = _first_page(rows, size)
    if isinstance(cursor, Keyset) and page.items:  # the API's first page: its Link rel="prev"
        page.prev_cursor = encode_cursor(page.items[0].created, page.items[0].pk)
    prefetch_media(page.items)
    return page


def prefetch_media(posts: list[Post]) -> None:
    """`post.media.all()` for each post, in position order, from one compiled query: what
    `post_queryset`'s prefetch reads, without building it through the ORM each time (~1 ms for a
    profile's grid). Each media item knows its post (`media.post`: privacy reads its author). The
    querysets kept are made from an empty one, as Django's prefetch makes them from the related
    manager's: they answer iteration, `.all()`, indexing and `len` with these rows; a further
    `.filter()` on them would find nothing (nothing does that: media lists are read whole)."""
    if not posts:
        return
    ids = [post.pk for post in posts]
    rows = compiled_fetch(
        ("post_media", len(ids)),
        lambda _viewer, *ids: PostMedia.objects.filter(post_id__in=ids).order_by("post_id", "position"),
        None,
        *ids,
    )
    by_post: dict[int, list[PostMedia]] = {pk: [] for pk in ids}
    for media in rows:
        by_post[media.post_id].append(media)
    empty = PostMedia.objects.none()
    for post in posts:
        for media in by_post[post.pk]:
            media.post = post
        prefetched = copy.copy(empty)
        prefetched._result_cache, prefetched._prefetch_done = by_post[post.pk], True
        post._prefetched_objects_cache = {
            **getattr(post, "_prefetched_objects_cache", {}),
            "media": prefetched,
        }


def _first_page(rows: list, size: int) -> Page:
    """The first page of a keyset list from its first `size + 1` rows (as `keyset_page` makes it)."""
    items = rows[:size]
    return Page(items, encode_cursor(items[-1].created, items[-1].pk) if len(rows) > size else None)


def hashtag_get(name: str) -> Hashtag:
    return get_object_or_404(Hashtag, name=(name or "").lower())


def hashtag_page(viewer, name: str, cursor, size: int | None = None) -> tuple[Hashtag, Page]:
    """The hashtag and one page of visible posts with it; 404 unless the viewer may see at least one
    post with the tag (a tag used only on private, blocked or hidden posts does not exist for them:
    its page would confirm that someone wrote it). `cursor` may be a `Keyset` (the client API's
    max_id / since_id / min_id) and `size` the API's limit (default: the pages' size)."""
    tag = hashtag_get(name)
    visible_with_tag = post_queryset(viewer).filter(posthashtag__hashtag=tag, is_archived=False)
    # Order by the tag row's copy of (created, post id) so the database walks the
    # (hashtag, -created, -post) index and stops after one page, instead of sorting every post with
    # the tag. The values equal the post's own, so the cursor is the same either way.
    qs = visible_with_tag.annotate(tag_created=F("posthashtag__created"), tag_post=F("posthashtag__post_id"))
    page = keyset_page(qs, cursor, size or page_size(), created_field="tag_created", id_field="tag_post")
    # A non-empty page proves access at no extra cost; an empty first page disproves it. Only an
    # empty later page (the end of a scroll) needs one more query.
    if not page.items and (not cursor or not visible_with_tag.prefetch_related(None).exists()):
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


# --- Likes, saves and comments ------------------------------------------------------------------



def visible_comments(viewer):
    """Comments a viewer may see (`Comment.objects.visible_to`): not hidden, by an active author
    with no block either way, on a post they may see. A private account's comment on a public post
    is visible, as on Instagram."""
    return Comment.objects.visible_to(viewer)


def with_body_html(comments, viewer=None):
    """Set `comment.body_html`: the text escaped, with #hashtags and the @mentions of people the
    viewer may see linked (posts.text; one query for the names, none when no comment mentions
    anyone). No viewer (a moderator's preview): every active account."""
    comments = list(comments)
    known = known_mentions(*(comment.body for comment in comments), viewer=viewer)
    for comment in comments:
        comment.body_html = render_caption(comment.body, known)
    return comments


def comments_page(viewer, post: Post, *, cursor: str | None = None, size: int | None = None) -> Page:
    """A post's comments, oldest first, keyset "load more" (1 query). `post` must have been read
    through `Post.objects.visible_to(viewer)` (`post_get_for_viewer`): the post part of the comment
    rule holds for it, so only the comments' own part is checked (`Comment.objects.on_visible_posts`)."""
    size = size or COMMENTS_PAGE_SIZE
    if cursor:
        qs = Comment.objects.on_visible_posts(viewer, [post.pk]).select_related("author")
        page = keyset_page(qs, cursor, size, descending=False)
    else:  # the post page's: compiled once per kind of viewer and page size (instaclone.compiled)
        order = keyset_order(descending=False)
        rows = compiled_fetch(
            ("comments_page", size, *viewer_key(viewer)),
            lambda v, post_id: Comment.objects.on_visible_posts(v, [post_id])
            .select_related("author")
            .order_by(*order)[: size + 1],
            viewer,
            post.pk,
        )
        page = _first_page(rows, size)
    with_body_html(page.items, viewer)
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


def with_viewer_flags(qs: QuerySet[Post], viewer) -> QuerySet[Post]:
    """Posts annotated with `viewer_liked` and `viewer_saved` (EXISTS on the like and save rows'
    unique (user, post) indexes), so that a page of cards learns the viewer's state in the query
    that reads the posts (`cards_context` then runs none for it). Anonymous: unchanged."""
    if not _signed_in(viewer):
        return qs
    return qs.annotate(
        viewer_liked=Exists(Like.objects.filter(user_id=viewer.pk, post_id=OuterRef("pk"))),
        viewer_saved=Exists(Save.objects.filter(user_id=viewer.pk, post_id=OuterRef("pk"))),
    )


# Up to this many comment rows on a page's posts in all (their stored comment_count, which counts
# every row), the latest comments of each are picked in Python from one plain query, which costs
# far less to build than a window function; above it, ROW_NUMBER() picks them in the database.
LATEST_COMMENTS_PLAIN_MAX = 60


def latest_comments(posts, viewer, n: int = 2) -> dict[int, list[Comment]]:
    """The latest `n` visible comments of each post (shown oldest first), in one query. `posts` are
    Post instances the viewer may see, read through `post_queryset(viewer)` (a page of cards):
    `Comment.objects.on_visible_posts` then checks only the comment's own part of the rule. The
    query is compiled once per kind of viewer, number of posts and form (instaclone.compiled)."""
    posts = list(posts)
    if not posts:
        return {}
    ids = [p.pk for p in posts]
    windowed = sum(p.comment_count for p in posts) > LATEST_COMMENTS_PLAIN_MAX

    def build(v, *post_ids):
        rows = Comment.objects.on_visible_posts(v, post_ids).select_related("author")
        if windowed:
            newest_first = [F("created").desc(), F("id").desc()]
            rows = rows.annotate(rank=Window(RowNumber(), partition_by=[F("post_id")], order_by=newest_first))
            rows = rows.filter(rank__lte=n)
        return rows.order_by("post_id", "-created", "-id")

    key = ("latest_comments", len(ids), windowed, n, *viewer_key(viewer))
    result: dict[int, list[Comment]] = {pk: [] for pk in ids}
    for comment in compiled_fetch(key, build, viewer, *ids):
        latest = result[comment.post_id]
        if len(latest) < n:
            latest.append(comment)
    for latest in result.values():
        latest.reverse()
    with_body_html((comment for latest in result.values() for comment in latest), viewer)  # one names query
    return result


def _friend_likes(viewer):
    """Likes of the outer query's post by people the viewer follows and may see, newest first (a
    correlated subquery: LIMIT 1 walks the likes' (post, -created, -id) index)."""
    followed = Q(post_id=OuterRef("pk"), user_id__in=followees_subquery(viewer))
    return Like.objects.filter(followed & visible_profiles_q(viewer, "user")).order_by("-created", "-id")


def with_card_state(qs: QuerySet[Post], viewer) -> QuerySet[Post]:
    """`with_mention_names`, `with_viewer_flags` plus `friend_liker_id`: the id of the latest liker among the people the
    viewer follows and may see (or None). A page of cards read this way needs no query of its own
    for its liked/saved flags and one small one (users by id) for "liked by"."""
    qs = with_mention_names(qs, viewer)
    if not _signed_in(viewer):
        return qs
    friend = Subquery(_friend_likes(viewer).values("user_id")[:1])
    return with_viewer_flags(qs, viewer).annotate(friend_liker_id=friend)


def liked_by_friend(posts, viewer) -> dict[int, User]:
    """For each post, the most recent liker among people the viewer follows (`_friend_likes`). Posts
    read with `with_card_state` carry the liker's id: their users are read by id (none when no
    post has one; the ids passed the rule in that read). Otherwise one query picks the like of each
    post by the same correlated subquery, with its user joined."""
    posts = list(posts)
    if not posts or not _signed_in(viewer):
        return {}
    if all(hasattr(p, "friend_liker_id") for p in posts):
        liker_ids = sorted({p.friend_liker_id for p in posts} - {None})
        users = {}
        if liker_ids:  # compiled once per number of likers (instaclone.compiled)
            key = ("users_by_id", len(liker_ids))
            found = compiled_fetch(key, lambda _, *ids: User.objects.filter(pk__in=ids), None, *liker_ids)
            users = {u.pk: u for u in found}
        return {p.pk: users[p.friend_liker_id] for p in posts if p.friend_liker_id in users}
    latest = Subquery(_friend_likes(viewer).values("pk")[:1])
    picked = Post.objects.filter(pk__in=[p.pk for p in posts]).values(like=latest)
    return {like.post_id: like.user for like in Like.objects.filter(pk__in=picked).select_related("user")}


def cards_context(viewer, posts) -> dict:
    """Everything a page of post cards needs, in a constant number of queries (0 for no posts;
    otherwise 1 for the latest comments; signed in, 2 for the viewer's liked/saved ids unless the
    posts were read `with_viewer_flags`, and 1 for "liked by <a friend>", which for posts read
    `with_card_state` is the likers' users by id, and none if no post has one).

    Returns {"liked_ids": set, "saved_ids": set, "latest_comments": {post_id: [Comment]},
    "liked_by": {post_id: User}} and also sets `post.card_comments` and `post.card_liked_by` on each
    post, which is what posts/_card.html reads (templates cannot index a dict by a variable).
    `posts` must have been read through `post_queryset(viewer)`.
    """
    posts = list(posts)
    ids = [p.pk for p in posts]
    if posts and all(hasattr(p, "viewer_liked") for p in posts):
        liked_ids = {p.pk for p in posts if p.viewer_liked}
        saved_ids = {p.pk for p in posts if p.viewer_saved}
    else:
        liked_ids, saved_ids = viewer_state(viewer, ids)
    comments = latest_comments(posts, viewer)
    friends = liked_by_friend(posts, viewer)
    for post in posts:
        post.card_comments = comments.get(post.pk, [])
        post.card_liked_by = friends.get(post.pk)
    return {"liked_ids": liked_ids, "saved_ids": saved_ids, "latest_comments": comments, "liked_by": friends}


def detail_context(viewer, post: Post) -> dict:
    """What the post detail page needs for its like/save buttons and comments, in constant
    queries: `context.update(detail_context(viewer, post))`. One query (the page of comments) for a
    post read with `post_get_for_viewer(..., with_viewer_state=True)`; else liked and saved ids
    are two more (none for an anonymous viewer)."""
    if hasattr(post, "viewer_liked"):
        liked_ids = {post.pk} if post.viewer_liked else set()
        saved_ids = {post.pk} if post.viewer_saved else set()
    else:
        liked_ids, saved_ids = viewer_state(viewer, [post.pk])
    return {"liked_ids": liked_ids, "saved_ids": saved_ids, "comments": comments_page(viewer, post)}


# --- Archive and collections ---------------------------------------------------------------------

ARCHIVE_PAGE_SIZE = 24
COLLECTION_PAGE_SIZE = 24
COVER_SIZE = 4  # posts shown on a collection's cover (the latest saved into it)


def archive_page(viewer, *, cursor: str | None = None, size: int | None = None) -> Page:
    """The viewer's own archived posts, most recently archived first (2 queries: posts, media).
    Through `post_queryset(viewer)`: the rule shows an archived post to its author only."""
    qs = post_queryset(viewer).filter(author_id=viewer.pk, is_archived=True)
    return keyset_page(qs, cursor, size or ARCHIVE_PAGE_SIZE, created_field="archived_at")


def collection_get_for_owner(viewer, pk) -> Collection:
    """The viewer's own collection, or 404 (another person's collection does not exist for them)."""
    if not _signed_in(viewer) or type(pk) is not int or not 0 < pk <= MAX_ID:
        raise Http404("No such collection.")
    return get_object_or_404(Collection, pk=pk, owner_id=viewer.pk)


def collections_of(viewer) -> list[Collection]:
    """The viewer's collections, most recently changed first (1 query; at most
    services.collections.MAX_COLLECTIONS of them, so one page)."""
    return list(Collection.objects.filter(owner_id=viewer.pk).order_by("-updated", "-id"))


def collections_with_covers(viewer) -> list[Collection]:
    """The viewer's collections, each with `cover`: the first media item of its latest COVER_SIZE
    posts the viewer may still see. Three queries whatever the number of collections (collections;
    their latest visible items, ranked in the database; those posts' first media), two when no
    collection has a visible post, one when there are none."""
    collections = collections_of(viewer)
    if not collections:
        return []
    newest_first = [F("created").desc(), F("id").desc()]
    items = (
        CollectionItem.objects.filter(post_visible_q(viewer, "post"), collection__owner_id=viewer.pk)
        .annotate(rank=Window(RowNumber(), partition_by=[F("collection_id")], order_by=newest_first))
        .filter(rank__lte=COVER_SIZE)
        .select_related("post", "post__author")
        .order_by("collection_id", "-created", "-id")
    )
    posts = {}
    by_collection: dict[int, list[Post]] = {c.pk: [] for c in collections}
    for item in items:
        posts[item.post_id] = item.post
        by_collection[item.collection_id].append(item.post)
    first_media = _first_media(list(posts.values()))
    for collection in collections:
        collection.cover = [first_media[p.pk] for p in by_collection[collection.pk] if p.pk in first_media]
    return collections


def _first_media(posts: list[Post]) -> dict[int, PostMedia]:
    """{post id: its first media item} (1 query, none for no posts); each item knows its post."""
    if not posts:
        return {}
    by_id = {p.pk: p for p in posts}
    media = {}
    for item in PostMedia.objects.filter(post_id__in=list(by_id), position=0):
        item.post = by_id[item.post_id]
        media[item.post_id] = item
    return media


def saved_cover(saves: Page) -> list[PostMedia]:
    """The "All posts" tile's cover: the first media of the latest COVER_SIZE saved posts, from the
    Saved page's own first page (no query: its media are prefetched)."""
    cover = []
    for save in saves.items[:COVER_SIZE]:
        media = list(save.post.media.all())
        if media:
            cover.append(media[0])
    return cover


def collection_page(viewer, collection: Collection, *, cursor: str | None = None, size: int | None = None) -> Page:
    """A page of the collection's posts the viewer may see, newest added first (2 queries: items
    with their posts, media). Posts that became invisible drop out, as on the Saved page."""
    qs = (
        CollectionItem.objects.filter(post_visible_q(viewer, "post"), collection=collection)
        .select_related("post", "post__author")
        .prefetch_related(Prefetch("post__media", queryset=PostMedia.objects.order_by("position")))
    )
    return keyset_page(qs, cursor, size or COLLECTION_PAGE_SIZE)


def collections_for_post(viewer, post_id: int) -> list[Collection]:
    """The viewer's collections with `has_post` (whether this post is in it), for the "Save to
    collection" dialog (1 query)."""
    return list(
        Collection.objects.filter(owner_id=viewer.pk)
        .annotate(has_post=Exists(CollectionItem.objects.filter(collection_id=OuterRef("pk"), post_id=post_id)))
        .order_by("-updated", "-id")
    )


# --- People tagged in photos --------------------------------------------------------------------

PHOTO_TAG_CANDIDATES = 8


def with_photo_tags(viewer, media_items, *, author_id: int) -> list[PostMedia]:
    """Set `item.visible_tags` on each item of one post (by `author_id`, read through the rule):
    a photo's tags of people the viewer may see (`visible_profiles_q`: active, no block either
    way) and with no block between them and the author, in tag order. One query (none without
    photos); the page shows them on tap."""
    items = list(media_items)
    photo_ids = [m.pk for m in items if m.kind == PostMedia.Kind.IMAGE]
    by_media: dict[int, list[PhotoTag]] = {pk: [] for pk in photo_ids}
    if photo_ids:
        tags = (
            PhotoTag.objects.filter(visible_profiles_q(viewer, "user"), not_blocked_q(author_id, "user"))
            .filter(media_id__in=photo_ids)
            .select_related("user")
            .order_by("media_id", "created", "id")
        )
        for tag in tags:
            by_media[tag.media_id].append(tag)
    for item in items:
        item.visible_tags = by_media.get(item.pk, [])
    return items


def tagged_page(viewer, person: User, cursor: str | None) -> Page:
    """The profile's "Tagged" tab: posts the viewer may see (`post_queryset`) in which `person` is
    tagged, newest first, keyset paged (2 queries: posts with authors, media). A post whose author
    and `person` block each other is left out, as are archived posts."""
    tagged = PhotoTag.objects.filter(user_id=person.pk).values("post_id")
    qs = post_queryset(viewer).filter(not_blocked_q(person.pk, "author"), pk__in=tagged, is_archived=False)
    return keyset_page(qs, cursor, page_size())


def photo_tag_candidates(author: User, q: str, limit: int = PHOTO_TAG_CANDIDATES) -> list[User]:
    """People the author may tag whose username or name starts with `q` (the services' rule:
    `User.objects.visible_to(author)` and who may see the author's posts)."""
    key = lookup_key((q or "").strip().lstrip("@")) or ""
    if not key:
        return []
    return list(
        User.objects.visible_to(author)
        .audience_of(author)
        .alias(username_l=Lower("username"), name_l=Lower("display_name"))
        .filter(Q(username_l__startswith=key) | Q(name_l__startswith=key))
        .order_by("username")[:limit]
    )


def photo_tag_person(author: User, name: str) -> User | None:
    """The account named `name` (compared as the unique constraint compares) whose profile `author`
    may see (`User.objects.visible_to`), or None: a suspended or blocking account is as absent as a
    missing one. Whether it may be tagged is the service's decision (`photo_tag_add`)."""
    return User.objects.visible_to(author).by_username((name or "").strip().lstrip("@")).first()


def photo_tag_get(post: Post, tag_id: int) -> PhotoTag:
    """A tag of `post` (read by the caller through the rule), or 404."""
    if not 0 < tag_id <= MAX_ID:
        raise Http404("No such tag.")
    return get_object_or_404(PhotoTag.objects.select_related("post"), pk=tag_id, post_id=post.pk)


def mentions_and_tags(viewer, post_ids) -> tuple[dict[int, list[User]], dict[int, list[str]]]:
    """For the client API's statuses: each post's mentioned people whom the viewer may see
    (`User.objects.visible_to`) and its hashtag names. Two queries for a page, none without posts."""
    ids = list(post_ids)
    mentioned: dict[int, list[User]] = {pk: [] for pk in ids}
    tags: dict[int, list[str]] = {pk: [] for pk in ids}
    if not ids:
        return mentioned, tags
    rows = (
        PostMention.objects.filter(post_id__in=ids, user__in=User.objects.visible_to(viewer))
        .select_related("user")
        .order_by("post_id", "user_id")
    )
    for row in rows:
        mentioned[row.post_id].append(row.user)
    for post_id, name in (
        PostHashtag.objects.filter(post_id__in=ids).order_by("post_id", "hashtag__name").values_list("post_id", "hashtag__name")
    ):
        tags[post_id].append(name)
    return mentioned, tags


# --- The client API: statuses and media (issue 14) ----------------------------------------------

FAVOURITES_PAGE_SIZE = 20


def comment_get_for_viewer(viewer, pk) -> Comment:
    """A comment the viewer may see (`Comment.objects.visible_to`: not hidden, an author they may
    see, on a post they may see), with its author, post and the post's author, and `body_html`
    set (`with_body_html`); 404 otherwise. One query (and the mentioned names', when it has any)."""
    if type(pk) is not int or not 0 < pk <= MAX_ID:
        raise Http404("No such comment.")
    comment = (
        Comment.objects.visible_to(viewer).select_related("author", "post", "post__author").filter(pk=pk).first()
    )
    if comment is None:
        raise Http404("No such comment.")
    with_body_html([comment], viewer)
    return comment


def favourites_page(viewer, cursor=None, size: int | None = None) -> Page:
    """The viewer's likes, newest first, keyset on the like's (created, id) (2 queries: likes with
    their posts, authors and whether the viewer saved each, media). Posts the viewer may no longer
    see (`post_visible_q`, the rule of `Post.objects.visible_to`, as the Saved page reads saves)
    drop out. Each `like.post` carries `viewer_liked` (True) and `viewer_saved`, as posts read
    `with_viewer_flags` do. `cursor` may be a Keyset."""
    qs = (
        Like.objects.filter(post_visible_q(viewer, "post"), user=viewer)
        .annotate(post_saved=Exists(Save.objects.filter(user_id=viewer.pk, post_id=OuterRef("post_id"))))
        .select_related("post", "post__author")
        .prefetch_related(Prefetch("post__media", queryset=PostMedia.objects.order_by("position")))
    )
    page = keyset_page(qs, cursor, size or FAVOURITES_PAGE_SIZE)
    for like in page.items:
        like.post.viewer_liked, like.post.viewer_saved = True, like.post_saved
    return page


def _row_cursor(qs) -> str | None:
    row = qs.values_list("created", "pk").first()
    return encode_cursor(*row) if row else None


# The *_cursor resolvers read the row through the same rule as the list it is a place in: a row
# the list would not show resolves to None, exactly as a row that does not exist (so a numeric
# max_id tells nothing a page would not).


def favourite_cursor(viewer, post_id: int) -> str | None:
    """The `favourites_page` cursor at the viewer's like of this post (a client's numeric max_id /
    since_id / min_id is a status id) while the post is visible to them, or None."""
    return _row_cursor(Like.objects.filter(post_visible_q(viewer, "post"), user_id=viewer.pk, post_id=post_id))


def saved_cursor(viewer, post_id: int) -> str | None:
    """The `saved_page` cursor at the viewer's save of this post while it is visible to them, or None."""
    return _row_cursor(Save.objects.filter(post_visible_q(viewer, "post"), user_id=viewer.pk, post_id=post_id))


def liker_cursor(viewer, post: Post, user_id: int) -> str | None:
    """The `likers_page` cursor at this person's like of the post (numeric ids there are account
    ids) when `likers_page` shows it to the viewer (`visible_profiles_q`: no block either way,
    active), or None."""
    return _row_cursor(
        Like.objects.filter(visible_profiles_q(viewer, "user"), post_id=post.pk, user_id=user_id)
    )


def media_draft_get_for_owner(viewer, pk) -> MediaDraft:
    """The viewer's own upload waiting for its post, or 404 (another person's does not exist)."""
    if not _signed_in(viewer) or type(pk) is not int or not 0 < pk <= MAX_ID:
        raise Http404("No such upload.")
    return get_object_or_404(MediaDraft, pk=pk, owner_id=viewer.pk)
