"""GET /api/v1/timelines/home and /api/v1/timelines/tag/:hashtag (issue 14): the web's feed and
hashtag page through a Keyset (max_id / since_id / min_id), Link headers, scopes, query counts."""

from __future__ import annotations

import re

import pytest

from accounts.services import graph
from instaclone.testing import api_token
from posts.tests.factories import PostFactory
from social.selectors import FEED_PAGE_SIZE

from ..factories import make_private

pytestmark = pytest.mark.django_db

HOME = "/api/v1/timelines/home"


def auth(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def links(response) -> dict[str, str]:
    """rel -> URL path and query of the Link header."""
    out = {}
    for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response.get("Link", "")):
        out[rel] = url.split("://", 1)[1].split("/", 1)[1]
    return {rel: "/" + rest for rel, rest in out.items()}


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [int(s["id"]) for s in response.json()]


@pytest.fixture
def reader(alice, bob):
    """alice follows bob; alice's read token."""
    graph.follow_create(follower=alice, followee=bob)
    return api_token(alice, "read")


def test_it_lists_own_and_followed_posts_newest_first_as_statuses(client, alice, bob, charlie, reader):
    mine = PostFactory(author=alice, caption="mine #sun")
    theirs = PostFactory(author=bob, caption="hello @alice #sun", alt="a tree")
    PostFactory(author=charlie, caption="not followed")
    r = client.get(HOME, **auth(reader))
    assert ids(r) == [theirs.pk, mine.pk]
    status = r.json()[0]
    assert status["account"]["username"] == "bob"
    assert status["media_attachments"][0]["description"] == "a tree"
    assert [t["name"] for t in status["tags"]] == ["sun"]
    assert [m["username"] for m in status["mentions"]] == ["alice"]
    assert status["favourited"] is False and status["bookmarked"] is False


def test_it_pages_by_link_headers_without_repeats_or_gaps(client, alice, bob, reader):
    posts = [PostFactory(author=bob, caption=f"p{i}") for i in range(5)]
    newest_first = [p.pk for p in reversed(posts)]
    seen = []
    url = f"{HOME}?limit=2"
    pages = 0
    while url:
        r = client.get(url, **auth(reader))
        seen += ids(r)
        pages += 1
        url = links(r).get("next")
    assert seen == newest_first
    assert pages == 3
    # prev of the second page gives the first page back
    second = client.get(links(client.get(f"{HOME}?limit=2", **auth(reader)))["next"], **auth(reader))
    assert ids(client.get(links(second)["prev"], **auth(reader))) == newest_first[:2]


def test_min_id_returns_exactly_the_newer_posts_newest_first(client, alice, bob, reader):
    old = [PostFactory(author=bob, caption=f"old {i}") for i in range(3)]
    first = client.get(f"{HOME}?limit=3", **auth(reader))
    assert ids(first) == [p.pk for p in reversed(old)]
    prev = links(first)["prev"]
    assert ids(client.get(prev, **auth(reader))) == []  # nothing newer yet
    new = [PostFactory(author=bob, caption=f"new {i}") for i in range(4)]
    # min_id reads the window just above the bound oldest first, then hands it back newest first:
    # with limit 3 that is the three oldest of the new posts, not the three newest
    r = client.get(prev.replace("limit=3", "limit=3"), **auth(reader))
    assert ids(r) == [new[2].pk, new[1].pk, new[0].pk]
    # its own prev link continues upwards to the rest
    assert ids(client.get(links(r)["prev"], **auth(reader))) == [new[3].pk]


def test_since_id_returns_the_newest_posts_above_the_bound(client, alice, bob, reader):
    old = PostFactory(author=bob, caption="old")
    new = [PostFactory(author=bob, caption=f"new {i}") for i in range(4)]
    r = client.get(f"{HOME}?since_id={old.pk}&limit=3", **auth(reader))
    assert ids(r) == [new[3].pk, new[2].pk, new[1].pk]  # newest first, capped at the limit
    r = client.get(f"{HOME}?since_id={old.pk}&max_id={new[3].pk}", **auth(reader))
    assert ids(r) == [new[2].pk, new[1].pk, new[0].pk]


def test_numeric_max_id_is_a_status_id_and_an_invisible_one_is_an_empty_page(client, alice, bob, charlie, reader):
    posts = [PostFactory(author=bob, caption=f"p{i}") for i in range(3)]
    r = client.get(f"{HOME}?max_id={posts[2].pk}", **auth(reader))
    assert ids(r) == [posts[1].pk, posts[0].pk]
    make_private(charlie)
    hidden = PostFactory(author=charlie, caption="private")
    r = client.get(f"{HOME}?max_id={hidden.pk}", **auth(reader))
    gone = client.get(f"{HOME}?max_id=999999", **auth(reader))
    assert r.status_code == gone.status_code == 200
    assert r.json() == gone.json() == []  # the same answer as for a status that does not exist
    r = client.get(f"{HOME}?max_id=not-a-cursor", **auth(reader))
    assert r.status_code == 400 and "error" in r.json()


def test_home_needs_a_user_token_with_read_statuses(client, alice, bob):
    assert client.get(HOME).status_code == 401
    assert client.get(HOME, **auth(api_token(None, "read"))).status_code == 422
    assert client.get(HOME, **auth(api_token(alice, "write follow"))).status_code == 403
    assert client.get(HOME, **auth(api_token(alice, "read:notifications"))).status_code == 403
    assert client.get(HOME, **auth(api_token(alice, "read:statuses"))).status_code == 200


def test_a_session_cookie_is_not_an_api_login(alice_client):
    assert alice_client.get(HOME).status_code == 401


@pytest.mark.parametrize("n_posts", [1, 15])
def test_home_query_count_is_constant(client, alice, bob, reader, django_assert_num_queries, n_posts):
    for i in range(n_posts + 1):
        PostFactory(author=bob if i % 2 else alice, caption=f"post {i} @alice #tag")
    token = auth(reader)
    # compiles the first page's query; the day's first request stamps alice active (the feed's
    # FeedActivityMiddleware counts API use as activity: one UPDATE a day)
    client.get(HOME, **token)
    # 1 the access token (django-oauth-toolkit, with its user), 2 fan-out rows with their authors,
    # the viewer's favourited/bookmarked flags and the pull-mode check (`with_card_state`, as the
    # web feed), 3 media, 4 mentions the viewer may see, 5 hashtags
    with django_assert_num_queries(5):
        r = client.get(f"{HOME}?limit={n_posts}", **token)
    assert len(r.json()) == n_posts
    cursor = links(client.get(f"{HOME}?limit=1", **token))["next"]
    with django_assert_num_queries(5):  # a later page: the same five, the feed query from the ORM
        r = client.get(cursor.replace("limit=1", f"limit={n_posts}"), **token)
    assert len(r.json()) == n_posts


def test_home_first_page_is_the_web_feeds_first_page(client, alice, bob, reader):
    posts = [PostFactory(author=bob, caption=f"p{i}") for i in range(FEED_PAGE_SIZE + 2)]
    r = client.get(f"{HOME}?limit={FEED_PAGE_SIZE}", **auth(reader))
    assert ids(r) == [p.pk for p in reversed(posts)][:FEED_PAGE_SIZE]


# --- hashtag timeline --------------------------------------------------------------------------

TAG = "/api/v1/timelines/tag/"


def test_tag_timeline_is_public_and_pages(client, alice, bob):
    posts = [PostFactory(author=bob, caption=f"#Sun {i}") for i in range(3)]
    PostFactory(author=bob, caption="#moon")
    r = client.get(f"{TAG}sun?limit=2")
    assert ids(r) == [posts[2].pk, posts[1].pk]
    assert ids(client.get(links(r)["next"])) == [posts[0].pk]
    assert ids(client.get(f"{TAG}SUN?min_id={posts[0].pk}")) == [posts[2].pk, posts[1].pk]


def test_tag_timeline_of_an_unknown_or_invisible_tag_is_empty(client, alice, bob):
    make_private(alice)
    PostFactory(author=alice, caption="#secret")
    assert ids(client.get(f"{TAG}secret")) == []
    assert ids(client.get(f"{TAG}nosuchtag")) == []
    assert ids(client.get(f"{TAG}secret", **auth(api_token(alice, "read")))) != []


def test_tag_timeline_checks_a_sent_tokens_scope(client, alice):
    assert client.get(f"{TAG}sun", **auth(api_token(alice, "write"))).status_code == 403
    assert client.get(f"{TAG}sun", **auth("not-a-token")).status_code == 401
    assert client.get(f"{TAG}sun", **auth(api_token(alice, "read:statuses"))).status_code == 200


@pytest.mark.parametrize("n_posts", [1, 6])
def test_tag_query_count_is_constant(client, alice, bob, django_assert_num_queries, n_posts):
    for i in range(n_posts):
        PostFactory(author=bob, caption=f"#sun {i} @alice")
    token = auth(api_token(alice, "read"))
    client.get(f"{TAG}sun", **token)  # the day's first request stamps alice active
    # 1 token, 2 the tag, 3 the page, 4 media, 5 favourited, 6 bookmarked, 7 mentions, 8 hashtags
    with django_assert_num_queries(8):
        r = client.get(f"{TAG}sun", **token)
    assert len(r.json()) == n_posts
    # signed out: no token and no viewer flags
    with django_assert_num_queries(5):
        client.get(f"{TAG}sun")


def test_unknown_api_paths_answer_json_404(client):
    for path in ("/api/v1/nope", "/api/v9/timelines/public", "/api/"):
        r = client.get(path)
        assert r.status_code == 404 and r.json() == {"error": "Not found"}


# --- with an unmodified Mastodon client over HTTP ---------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_mastodon_py_reads_timelines_notifications_and_search(live_server, alice, bob, charlie):
    import warnings

    from mastodon import Mastodon

    from posts.services import like_create

    graph.follow_create(follower=alice, followee=bob)
    graph.follow_create(follower=charlie, followee=alice)
    posts = [PostFactory(author=bob, caption=f"#tag {i}") for i in range(5)]
    mine = PostFactory(author=alice, caption="mine")
    like_create(user=bob, post_id=mine.pk)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. "version >= 4.3.0 but no API version found"
        # the DEFAULT version check: reads /api/v1/instance (and v2's api_versions)
        api = Mastodon(access_token=api_token(alice, "read write"), api_base_url=live_server.url)
    api.retrieve_mastodon_version(fail_hard=True)
    assert (api.mastodon_major, api.mastodon_minor, api.mastodon_api_version) == (4, 3, 2)

    page = api.timeline_home(limit=2)
    pages, seen = [page], [s.id for s in page]
    while (page := api.fetch_next(page)):
        pages.append(page)
        seen += [s.id for s in page]
    newest_first = [mine.pk, *(p.pk for p in reversed(posts))]
    assert [int(i) for i in seen] == newest_first
    assert len(pages) == 3
    back = api.fetch_previous(pages[1])
    assert [int(s.id) for s in back] == newest_first[:2]

    notes = api.notifications()
    assert [(n.type, n.account.username) for n in notes] == [("favourite", "bob"), ("follow", "charlie")]
    assert int(notes[0].status.id) == mine.pk
    api.notifications_dismiss(notes[0])
    assert [n.type for n in api.notifications()] == ["follow"]
    api.notifications_clear()
    assert api.notifications() == []

    found = api.search_v2("ali")
    assert [a.acct for a in found.accounts] == ["alice"]
    assert [int(s.id) for s in api.timeline_hashtag("tag", limit=2)] == [posts[4].pk, posts[3].pk]


def test_keyset_windows_over_a_merged_feed_of_pushed_and_pulled_authors(alice, bob, charlie, settings):
    """feed_page's two reads (fan-out rows and a pull-mode author's posts, merged by hand) honour
    every Keyset bound: walking down by max_id and up by min_id gives the reference both ways."""
    from accounts.tests.factories import FollowFactory, UserFactory
    from instaclone.pagination import Keyset
    from posts.models import Post
    from social.models import FeedPullAuthor
    from social.selectors import feed_page

    settings.FEED_FANOUT_MAX_FOLLOWERS = 1
    settings.FEED_FANOUT_MIN_FOLLOWERS = 1
    for person in (alice, UserFactory()):
        FollowFactory(follower=person, followee=charlie)  # charlie: 2 followers, pull mode
    graph.follow_create(follower=alice, followee=bob)
    for i in range(4):
        PostFactory(author=bob, caption=f"b{i}")
        PostFactory(author=charlie, caption=f"c{i}")
    assert FeedPullAuthor.objects.filter(author=charlie).exists()
    reference = list(Post.objects.order_by("-created", "-id").values_list("pk", flat=True))

    down, page = [], feed_page(alice, Keyset(), 3)
    while True:
        down += [p.pk for p in page.items]
        if not page.next_cursor:
            break
        page = feed_page(alice, Keyset(max=page.next_cursor), 3)
    assert down == reference

    up, cursor = [p.pk for p in page.items], page.prev_cursor  # from the last page up, a window at a time
    while True:
        window = feed_page(alice, Keyset(min=cursor), 3)
        if not window.items:
            break
        assert len(window.items) <= 3
        up = [p.pk for p in window.items] + up
        cursor = window.prev_cursor
    assert up == reference
    since = feed_page(alice, Keyset(since=page.prev_cursor), 3)
    assert [p.pk for p in since.items] == reference[:3]  # since_id: the newest, not the nearest
