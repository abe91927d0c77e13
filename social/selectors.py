"""Reads for the social app: the home feed, people lists, notifications, explore and search.

Every read goes through the one visibility rule (accounts/visibility.py): people through
`User.objects.visible_to(viewer)`, rows that point at a person (follows, requests, notifications)
through its `visible_profiles_q(viewer, prefix)`; lists are keyset-paginated on (created, id) and
fetch per-viewer state once per page.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, Value
from django.db.models.functions import Lower, TruncDate
from django.utils import timezone

from accounts.follow_state import FollowState
from accounts.models import Block, Follow, FollowRequest, User
from accounts.visibility import followees_subquery, visible_profiles_q
from instaclone.compiled import compiled_fetch, viewer_key
from instaclone.pagination import (
    InvalidCursor,
    Keyset,
    Page,
    ascending,
    encode_cursor,
    keyset_order,
    keyset_page,
    keyset_q,
)
from posts.models import comment_visible_q, post_visible_q
from posts.selectors import post_queryset, prefetch_media, with_card_state

from .models import FeedPullAuthor, Notification

FEED_PAGE_SIZE = 12
PEOPLE_PAGE_SIZE = 20
NOTIFICATIONS_PAGE_SIZE = 30
# The cost bound is the post-count window; the age limit only keeps very old posts out of a quiet
# site's explore page (30 days left a small community with an almost empty grid).
EXPLORE_WINDOW_DAYS = 365
EXPLORE_WINDOW_POSTS = 500
EXPLORE_SIZE = 30
SEARCH_LIMIT = 20
SUGGESTIONS_SIZE = 5
UNREAD_BADGE_CAP = 100  # the badge shows "99+" beyond this; the count query stops there
UNREAD_CACHE_SECONDS = 60  # the nav badge's cached count; services.unread_changed forgets it


# --- posts ----------------------------------------------------------------------------------


def feed_active_cutoff() -> date:
    """People last active before this day are "away": fan-out skips them (FEED_ACTIVE_DAYS)."""
    return timezone.localdate() - timedelta(days=settings.FEED_ACTIVE_DAYS)


def feed_owner_away(user) -> bool:
    """Whether fan-out has been skipping this person (their rows may lack recent posts). Read from
    the user row already loaded: no query."""
    last = getattr(user, "last_active", None)
    return last is not None and last < feed_active_cutoff()


def _pulled_authors(viewer) -> Q:
    """The followees whose posts the page reads at read time (a condition on posts, no query of its
    own): while the viewer is away (fan-out has been skipping them; until the rebuild task stamps
    them back), every followee; otherwise the authors in pull mode they follow, read from the small
    pull table so that the planner reads those authors' posts through the (author, -created, -id)
    index rather than walking every post newest first (docs/feed.md)."""
    followees = followees_subquery(viewer)
    if feed_owner_away(viewer):
        return Q(author_id__in=followees)
    return Q(author_id__in=_followed_pull_authors(viewer).values("author_id"))


def _followed_pull_authors(viewer):
    return FeedPullAuthor.objects.filter(author_id__in=followees_subquery(viewer))


def _card_posts(viewer):
    # Not even its author's archived posts: the feed is a list, the Archive page is where they are.
    return with_card_state(post_queryset(viewer, with_media=False).filter(is_archived=False), viewer)


def _fanned(viewer, cursor: str | Keyset | None, size: int, *, pull_check: bool):
    """The first size + 1 fan-out rows after `cursor` (or within a `Keyset`'s bounds, oldest first
    for its `min`), with the card state; `pull_check` adds the constant `follows_pulled` column."""
    fields = {"created_field": "feed_items__created", "id_field": "feed_items__post"}
    fanned = _card_posts(viewer).filter(Q(feed_items__owner_id=viewer.pk) & keyset_q(cursor, **fields))
    if pull_check:
        fanned = fanned.annotate(follows_pulled=Exists(_followed_pull_authors(viewer)))
    return fanned.order_by(*keyset_order(cursor=cursor, **fields))[: size + 1]


def feed_page(viewer: User, cursor: str | Keyset | None = None, size: int = FEED_PAGE_SIZE) -> Page:
    """The viewer's home feed: their own posts and those of people they follow, newest first.

    Up to two bounded queries, both through `post_queryset(viewer)` (the one visibility rule) with
    what the cards need of the viewer (`with_card_state`: liked/saved flags, a followed liker's
    id), both keyset on (created, id) and cut at size + 1 rows, merged by (created, id) without
    duplicates:
      1. the fan-out table through its (owner, -created, -post) index: a page costs the same at 10
         or 5,000 followees (docs/feed.md); the join condition and the keyset live in one filter()
         so that Django uses a single join to social_feeditem, which order_by then reuses;
      2. the posts of the followees read at read time (`_pulled_authors`: authors in pull mode, or
         every followee while the viewer is away or back and not yet rebuilt) through the posts'
         (author, -created, -id) index. Most people follow no author in pull mode: the first query
         says so in a constant EXISTS column, and then this one is not run (it always is while the
         viewer is away, or when the first query finds no row).
    The true first size + 1 posts of the union are among the first size + 1 of either list, so the
    merge is exact. Media are prefetched once for the merged page. The first query of the first
    page (what every visit to / runs) is compiled once per kind of viewer and page size
    (instaclone.compiled: the same SQL, only the viewer's id changes); later pages and away viewers
    build it through the ORM.

    The client API passes a `Keyset` (max_id / since_id / min_id): the same two queries within its
    bounds; with `min` both read oldest first from it and the merged page is turned back to newest
    first; `prev_cursor` is the first item's (Link rel="prev"). A Keyset without bounds is the
    first page, compiled as above."""
    away = feed_owner_away(viewer)
    if not cursor and not away:  # the page everyone loads: compiled once (instaclone.compiled)
        key = ("feed_page", size, *viewer_key(viewer))
        fanned_rows = compiled_fetch(key, lambda v: _fanned(v, None, size, pull_check=True), viewer)
    else:
        fanned_rows = list(_fanned(viewer, cursor, size, pull_check=not away))
    merged = {p.pk: p for p in fanned_rows}
    if away or not fanned_rows or fanned_rows[0].follows_pulled:
        pulled = _card_posts(viewer).filter(_pulled_authors(viewer) & keyset_q(cursor)).order_by(
            *keyset_order(cursor=cursor)
        )
        for p in pulled[: size + 1]:
            merged.setdefault(p.pk, p)
    oldest_first = ascending(cursor)
    rows = sorted(merged.values(), key=lambda p: (p.created, p.pk), reverse=not oldest_first)[: size + 1]
    items = rows[:size]
    prefetch_media(items)  # one query compiled once per page length, as for the profile grid
    if oldest_first:  # read oldest first from `min`: hand them back newest first
        items.reverse()
        return Page(items, _post_cursor(items[-1]) if items else None, _post_cursor(items[0]) if items else None)
    next_cursor = _post_cursor(items[-1]) if len(rows) > size else None
    prev_cursor = _post_cursor(items[0]) if isinstance(cursor, Keyset) and items else None
    return Page(items, next_cursor, prev_cursor)


def _post_cursor(post) -> str:
    return encode_cursor(post.created, post.pk)


def _explore_cursor(bound: int, post) -> str:
    """Explore's cursor: the window's bound (the newest post id of the first page's window), ".",
    the like count, ".", and the (created, id) cursor of the page's last post."""
    return f"{bound}.{post.like_count}.{encode_cursor(post.created, post.pk)}"


def _explore_after(cursor: str | None) -> tuple[int | None, Q]:
    """The window's bound and the posts after the cursor in explore's order (-like_count, -created,
    -id); InvalidCursor (400) for a cursor explore did not make."""
    if not cursor:
        return None, Q()
    parts = cursor.split(".", 2)
    if len(parts) != 3 or not parts[2]:
        raise InvalidCursor()
    bound, likes, rest = parts
    for number in (bound, likes):
        if not (number.isascii() and number.isdigit()) or len(number) > 18:  # "²".isdigit() is true
            raise InvalidCursor()
    likes_n = int(likes)
    return int(bound), Q(like_count__lt=likes_n) | (Q(like_count=likes_n) & keyset_q(rest))


def explore_page(viewer, cursor: str | None = None, size: int = EXPLORE_SIZE) -> Page:
    """Recent, well-liked public posts by people the viewer does not follow: the latest
    EXPLORE_WINDOW_POSTS posts of the last EXPLORE_WINDOW_DAYS days (read through the created
    index), ranked by likes, in keyset pages of `size` on (likes, created, id) (infinite scroll;
    never OFFSET). The window is fixed by the first page: its newest post id is carried in the
    cursor, so later pages rank the same posts (posts created while someone scrolls do not push
    older ones out of it unseen). A like that moves a post across the cursor while someone scrolls
    may skip or repeat that one post, as on any ranked list; nothing else moves. Three queries a
    page (window ids, posts, media) whatever the table size: the window is read first as a list
    because PostgreSQL plans `pk IN (subquery with LIMIT)` as a scan of every post plus a hash
    semi-join (47–68 ms at 100k posts, 29–34 ms this way)."""
    from posts.models import Post

    bound, after = _explore_after(cursor)
    since = timezone.now() - timedelta(days=EXPLORE_WINDOW_DAYS)
    recent = Post.objects.filter(created__gte=since)
    if bound is not None:
        recent = recent.filter(pk__lte=bound)
    window = list(recent.order_by("-created", "-id").values_list("pk", flat=True)[:EXPLORE_WINDOW_POSTS])
    if bound is None:
        bound = max(window, default=0)
    qs = post_queryset(viewer).filter(pk__in=window, author__is_private=False)
    if viewer.is_authenticated:
        qs = qs.exclude(author_id=viewer.pk).exclude(
            author_id__in=Follow.objects.filter(follower_id=viewer.pk).values("followee_id")
        )
    rows = list(qs.filter(after).order_by("-like_count", "-created", "-id")[: size + 1])
    items = rows[:size]
    return Page(items, _explore_cursor(bound, items[-1]) if len(rows) > size else None)


def explore_posts(viewer, size: int = EXPLORE_SIZE) -> list:
    """Explore's first page as a list."""
    return explore_page(viewer, None, size).items


# --- people ---------------------------------------------------------------------------------


def follow_states(viewer, users) -> dict[int, str]:
    """Viewer's relation to each user: one query (accepted follows UNION pending requests)."""
    ids = [u.pk for u in users]
    if not viewer.is_authenticated or not ids:
        return {}
    follows = (
        Follow.objects.filter(follower_id=viewer.pk, followee_id__in=ids)
        .annotate(state=Value(FollowState.FOLLOWING.value))
        .values_list("followee_id", "state")
    )
    requests = (
        FollowRequest.objects.filter(requester_id=viewer.pk, target_id__in=ids)
        .annotate(state=Value(FollowState.REQUESTED.value))
        .values_list("target_id", "state")
    )
    return dict(follows.union(requests, all=True))


def relation(viewer, other: User) -> str:
    if not viewer.is_authenticated:
        return FollowState.NONE.value
    if viewer.pk == other.pk:
        return FollowState.SELF.value
    return follow_states(viewer, [other]).get(other.pk, FollowState.NONE.value)


def _attach_states(viewer, users: list[User]) -> list[User]:
    states = follow_states(viewer, users)
    for u in users:
        if viewer.is_authenticated and u.pk == viewer.pk:
            u.follow_state = FollowState.SELF.value
        else:
            u.follow_state = states.get(u.pk, FollowState.NONE.value)
    return users


def _people_page(viewer, rows_qs, user_attr: str, cursor: str | None, size: int) -> Page:
    page = keyset_page(rows_qs.select_related(user_attr), cursor, size)
    users = [getattr(r, user_attr) for r in page.items]
    page.items = _attach_states(viewer, users)
    return page


def followers_page(viewer, owner: User, cursor: str | None = None, size: int = PEOPLE_PAGE_SIZE) -> Page:
    qs = Follow.objects.filter(Q(followee_id=owner.pk) & visible_profiles_q(viewer, "follower"))
    return _people_page(viewer, qs, "follower", cursor, size)


def following_page(viewer, owner: User, cursor: str | None = None, size: int = PEOPLE_PAGE_SIZE) -> Page:
    qs = Follow.objects.filter(Q(follower_id=owner.pk) & visible_profiles_q(viewer, "followee"))
    return _people_page(viewer, qs, "followee", cursor, size)


def follow_requests_page(owner: User, cursor: str | None = None, size: int = PEOPLE_PAGE_SIZE) -> Page:
    qs = FollowRequest.objects.filter(Q(target_id=owner.pk) & visible_profiles_q(owner, "requester"))
    return keyset_page(qs.select_related("requester"), cursor, size)


def blocked_page(owner: User, cursor: str | None = None, size: int = PEOPLE_PAGE_SIZE) -> Page:
    """The people the owner blocked, newest first (shown only to the owner, to unblock them)."""
    qs = Block.objects.filter(blocker_id=owner.pk).select_related("blocked")
    return keyset_page(qs, cursor, size)


def blocked_person(viewer, username: str) -> User | None:
    """The active person named `username` whom the viewer blocked, or None: their profile shows the
    blocked state to the viewer (the visibility rule hides it both ways; the viewer already sees
    this person in their blocked list). One query, none when signed out."""
    if not viewer.is_authenticated:
        return None
    return User.objects.by_username(username).filter(is_active=True, blocked_by_rows__blocker_id=viewer.pk).first()


def follow_request_pending_count(owner: User) -> int:
    return FollowRequest.objects.filter(target_id=owner.pk).count()


def suggestions_for(viewer, limit: int = SUGGESTIONS_SIZE) -> list[User]:
    """"Suggested for you": people followed by the people the viewer follows (most such followers
    first), then the most-followed accounts, through `User.objects.visible_to(viewer)` (active, no
    block either way); never the viewer, nor anyone they follow or asked to follow. Private accounts
    may be suggested (following them sends a request). Each gets `follow_state` "none" and
    `mutuals` (how many people the viewer follows follow them; 0 for a popular account). Two
    queries at most (the second only when the first finds fewer than `limit`), none signed out."""
    if not viewer.is_authenticated:
        return []
    followees = followees_subquery(viewer)
    candidates = (
        User.objects.visible_to(viewer)
        .exclude(pk=viewer.pk)
        .exclude(pk__in=followees)
        .exclude(pk__in=FollowRequest.objects.filter(requester_id=viewer.pk).values("target_id"))
    )
    # filter() before annotate(): the count runs over the one join to follows by the followees
    people = list(
        candidates.filter(follower_rows__follower_id__in=followees)
        .annotate(mutuals=Count("follower_rows"))
        .order_by("-mutuals", "-follower_count", "pk")[:limit]
    )
    if len(people) < limit:
        popular = candidates.exclude(pk__in=[u.pk for u in people]).order_by("-follower_count", "-date_joined", "pk")
        for u in popular[: limit - len(people)]:
            u.mutuals = 0
            people.append(u)
    for u in people:
        u.follow_state = FollowState.NONE.value
    return people


def search_users(viewer, q: str, limit: int = SEARCH_LIMIT, *, following: bool = False) -> list[User]:
    """Username or name prefix, any letter case. LOWER(col) LIKE 'q%' uses the pattern-ops
    indexes of social/migrations/0004 on PostgreSQL. `following=True`: only people the viewer
    follows (the client API's accounts/search?following=true)."""
    q = q.strip().lstrip("@").lower()
    if not q:
        return []
    people = User.objects.visible_to(viewer)
    if following:
        people = people.filter(pk__in=followees_subquery(viewer)) if viewer.is_authenticated else people.none()
    users = list(
        people
        .annotate(username_l=Lower("username"), name_l=Lower("display_name"))
        .filter(Q(username_l__startswith=q) | Q(name_l__startswith=q))
        .order_by("-follower_count", "username")[:limit]
    )
    return _attach_states(viewer, users)


def search_hashtags(viewer, q: str, limit: int = SEARCH_LIMIT) -> list:
    """Hashtags by prefix that the viewer can see at least one post of."""
    from posts.models import Hashtag
    from posts.selectors import hashtags_visible_to

    q = q.strip().lstrip("#").lower()
    if not q:
        return []
    return list(hashtags_visible_to(viewer, Hashtag.objects.filter(name__startswith=q)).order_by("name")[:limit])


# --- notifications --------------------------------------------------------------------------


def notification_queryset(user: User):
    """The recipient's notifications that are still visible: actor not blocked either way and
    active; the post and comment (if any) visible to the recipient and not hidden by moderators,
    even to their own author (`published_only`: a hidden post's likes are no news)."""
    return Notification.objects.filter(
        Q(recipient_id=user.pk)
        & visible_profiles_q(user, "actor")
        & (Q(post__isnull=True) | post_visible_q(user, "post", published_only=True))
        & (Q(comment__isnull=True) | comment_visible_q(user, "comment", published_only=True))
    )


def _like_day():
    """A notification's (local) day: likes are grouped by post and day (comments keep their text:
    one row each)."""
    return TruncDate("created", tzinfo=timezone.get_current_timezone())


def _group_heads_q(user: User) -> Q:
    """Every row except the likes that have a newer visible like of the same post on the same day:
    each like group is read as its newest row only."""
    newer = (
        notification_queryset(user)
        .annotate(day=_like_day())
        .filter(
            Q(kind=Notification.Kind.LIKE, post_id=OuterRef("post_id"), day=OuterRef("like_day"))
            & (Q(created__gt=OuterRef("created")) | Q(created=OuterRef("created"), id__gt=OuterRef("id")))
        )
    )
    return ~Q(kind=Notification.Kind.LIKE, post__isnull=False) | ~Exists(newer)


def notifications_page(user: User, cursor: str | None = None, size: int = NOTIFICATIONS_PAGE_SIZE) -> Page:
    """One keyset page of the recipient's notifications, likes grouped ("ana and 12 others liked
    your post"), with each post's thumbnail and the recipient's follow state towards the people who
    followed them ("Follow back").

    A group is the likes of one post on one (local) day. The page is read over groups: a like row
    is read only when it is its group's newest visible row (`_group_heads_q`, a NOT EXISTS), so the
    keyset cursor (the last row shown) moves past the group's head, and its older rows, which are
    never heads, are skipped on every page: a group is shown once, at its newest like. Its count,
    unread state and actors are the group's true totals (`_group_totals`, one aggregate query for
    the page's groups), not those of the rows that happen to be on the page. Rows of other kinds are
    one entry each: none is lost or shown twice between pages.
    Queries: the page; then, each only if the page needs it, the groups' totals, the second actors
    of two-person groups, the pending requests among the requesters, the posts' media (one compiled
    query) and the follow states of the followers (one UNION): constant whatever the page's length."""
    qs = (
        notification_queryset(user)
        .annotate(like_day=_like_day())
        .filter(_group_heads_q(user))
        .select_related("actor", "post", "post__author", "comment")
    )
    page = keyset_page(qs, cursor, size)
    # pending requests, so that request notifications show Accept / Decline only while pending
    requester_ids = [n.actor_id for n in page.items if n.kind == Notification.Kind.FOLLOW_REQUEST]
    pending = set()
    if requester_ids:
        pending = set(
            FollowRequest.objects.filter(target_id=user.pk, requester_id__in=requester_ids).values_list(
                "requester_id", flat=True
            )
        )
    for n in page.items:
        n.request_pending = n.kind == Notification.Kind.FOLLOW_REQUEST and n.actor_id in pending
    _group_totals(user, page.items)
    _attach_thumbnails(page.items)
    followers = [n.actor for n in page.items if n.kind == Notification.Kind.FOLLOW]
    if followers:
        states = follow_states(user, followers)  # the viewer's follow state, once per page
        for actor in followers:
            actor.follow_state = states.get(actor.pk, FollowState.NONE.value)
    return page


def _group_totals(user: User, items: list[Notification]) -> None:
    """Each entry gets `group_actors` (its actor, then for a group of exactly two people the other
    one), `group_actor_count` (distinct people), `others` (from three people on: how many beside the
    newest, who is named: "ana and 12 others"), `group_size` (rows) and `group_unread`; a lone row
    is a group of one. One aggregate query over the page's like groups (grouped by post and day),
    and one for the second people of two-person groups, each only when needed."""
    heads = {}
    for n in items:
        n.group_actors, n.group_actor_count, n.group_size, n.group_unread = [n.actor], 1, 1, n.read_at is None
        if n.kind == Notification.Kind.LIKE and n.post_id:
            heads[(n.post_id, n.like_day)] = n
    if heads:
        totals = (
            notification_queryset(user)
            .filter(kind=Notification.Kind.LIKE, post_id__in={p for p, _ in heads})
            .annotate(day=_like_day())
            .filter(day__in={d for _, d in heads})
            .values("post_id", "day")
            .annotate(
                actors=Count("actor", distinct=True),
                rows=Count("id"),
                unread=Count("id", filter=Q(read_at__isnull=True)),
                low=Min("actor_id"),
                high=Max("actor_id"),
            )
        )
        seconds = {}
        for t in totals:
            n = heads.get((t["post_id"], t["day"]))
            if n is None:
                continue
            n.group_actor_count, n.group_size, n.group_unread = t["actors"], t["rows"], t["unread"] > 0
            if t["actors"] == 2:
                seconds[n.pk] = t["high"] if t["low"] == n.actor_id else t["low"]
        if seconds:
            people = User.objects.in_bulk(set(seconds.values()))
            for n in heads.values():
                if n.pk in seconds and seconds[n.pk] in people:
                    n.group_actors.append(people[seconds[n.pk]])
    for n in items:
        n.others = n.group_actor_count - 1 if n.group_actor_count > 2 else 0


def _attach_thumbnails(items: list[Notification]) -> None:
    """Each notification's post with its media (the thumbnail), one query for the page's posts."""
    posts: dict[int, object] = {}
    for n in items:
        if n.post_id:
            n.post = posts.setdefault(n.post_id, n.post)
    prefetch_media(list(posts.values()))


def unread_count(user: User) -> int:
    """Unread visible notifications, counted up to UNREAD_BADGE_CAP (one bounded query)."""
    return notification_queryset(user).filter(read_at__isnull=True)[:UNREAD_BADGE_CAP].count()


def unread_cache_key(user_id: int) -> str:
    return f"social:unread:{user_id}"


def unread_badge_count(user: User) -> int:
    """The nav badge's count: unread_count, cached per user for UNREAD_CACHE_SECONDS. Services forget
    it when a notification arrives or is read (services.unread_changed); nothing else writes it."""
    key = unread_cache_key(user.pk)
    value = cache.get(key)
    if value is None:
        value = unread_count(user)
        cache.set(key, value, UNREAD_CACHE_SECONDS)
    return value


# --- signed out -------------------------------------------------------------------------------

LANDING_POSTS = 9
LANDING_CACHE_SECONDS = 60
LANDING_CACHE_KEY = "landing:post-ids"


def landing_posts(size: int = LANDING_POSTS) -> list:
    """The signed-out landing page's grid: the newest posts anyone may see
    (`Post.objects.visible_to(None)`: public, active authors, not hidden or archived), the first
    keyset page. Which posts they are is cached for a minute (one key for every visitor: the
    ordered scan past private accounts' posts is the costly part); the posts themselves are read
    through the rule by primary key on every view, so one hidden, archived or made private since
    is gone at once. Queries: 1 the posts by id, 2 their media (a cache miss adds the ids first)."""
    ids = cache.get(LANDING_CACHE_KEY)
    if ids is None:
        ids = list(
            post_queryset(None, published_only=True, with_media=False)
            .order_by(*keyset_order())
            .values_list("pk", flat=True)[:size]
        )
        cache.set(LANDING_CACHE_KEY, ids, LANDING_CACHE_SECONDS)
    if not ids:
        return []
    posts = list(
        post_queryset(None, published_only=True, with_media=False).filter(pk__in=ids).order_by(*keyset_order())
    )
    prefetch_media(posts)
    return posts


# --- client API -------------------------------------------------------------------------------


def post_cursor_for(viewer, post_id: int) -> str | None:
    """The (created, id) cursor of a post the viewer may see, for a client that pages a post list
    (home, hashtag, profile) by a status id (max_id=<id>); None for a post they may not see, so an
    id tells nothing about an invisible post. One query."""
    row = post_queryset(viewer, with_media=False).filter(pk=post_id).values_list("created", "pk").first()
    return encode_cursor(*row) if row else None


def _notification_rows(user: User, kinds):
    return notification_queryset(user).filter(kind__in=kinds).select_related(
        "actor", "post", "post__author", "comment", "comment__author"
    )


def notification_list_page(user: User, cursor, size: int, *, kinds, actor_id: int | None = None) -> Page:
    """The client API's notifications: `notification_queryset` (the web page's visibility), one
    entry per row (the web groups likes; Mastodon's v1 list does not), of the given `kinds`, from
    one actor if `actor_id`; keyset on (created, id) (a `Keyset` for max_id / since_id / min_id).
    Two queries: the page with actor, post, its author and comment joined; the posts' media."""
    qs = _notification_rows(user, kinds)
    if actor_id is not None:
        qs = qs.filter(actor_id=actor_id)
    page = keyset_page(qs, cursor, size)
    _attach_thumbnails(page.items)
    return page


def notification_get_for_recipient(user: User, pk: int, *, kinds) -> Notification:
    """One of the recipient's notifications as the list shows it; Notification.DoesNotExist (a 404)
    for anyone else's, an invisible one or another kind. Two queries (the row, its post's media)."""
    notification = _notification_rows(user, kinds).get(pk=pk)
    _attach_thumbnails([notification])
    return notification


def notification_cursor_for(user: User, pk: int) -> str | None:
    """The keyset cursor of one of the recipient's visible notifications (a client paging by a
    notification id), or None. One query."""
    row = notification_queryset(user).filter(pk=pk).values_list("created", "pk").first()
    return encode_cursor(*row) if row else None


INSTANCE_STATS_CACHE_SECONDS = 600
INSTANCE_STATS_CACHE_KEY = "api:instance-stats"


def instance_stats() -> tuple[int, int]:
    """(active accounts, posts) for the API's instance description, counted at most every ten
    minutes (two COUNTs; cached for everyone). Posts count every stored post, as Mastodon counts
    local statuses: a number, never which ones."""
    from posts.models import Post

    stats = cache.get(INSTANCE_STATS_CACHE_KEY)
    if stats is None:
        stats = (User.objects.filter(is_active=True).count(), Post.objects.count())
        cache.set(INSTANCE_STATS_CACHE_KEY, stats, INSTANCE_STATS_CACHE_SECONDS)
    return tuple(stats)
