import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.services import graph
from instaclone.pagination import encode_cursor
from instaclone.testing import make_user
from posts.services import comment_create, like_create
from posts.tests.factories import PostFactory
from social.selectors import FEED_PAGE_SIZE

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def test_it_shows_the_landing_page_when_signed_out(client):
    r = client.get("/")
    assert r.status_code == 200
    assert b"Sign up" in r.content


def test_it_shows_own_and_followed_posts_newest_first(alice_client, alice, bob, charlie):
    graph.follow_create(follower=alice, followee=bob)
    mine = PostFactory(author=alice, caption="mine")
    theirs = PostFactory(author=bob, caption="from bob")
    stranger = PostFactory(author=charlie, caption="from charlie")
    r = alice_client.get("/")
    body = r.content.decode()
    assert f'id="post-{mine.pk}"' in body and f'id="post-{theirs.pk}"' in body
    assert f'id="post-{stranger.pk}"' not in body
    assert body.index(f'id="post-{theirs.pk}"') < body.index(f'id="post-{mine.pk}"')


def test_it_drops_posts_after_unfollow(alice_client, alice, bob):
    graph.follow_create(follower=alice, followee=bob)
    post = PostFactory(author=bob)
    graph.follow_delete(follower=alice, followee=bob)
    assert f'id="post-{post.pk}"' not in alice_client.get("/").content.decode()


def test_it_hides_hidden_posts(alice_client, alice, bob):
    graph.follow_create(follower=alice, followee=bob)
    post = PostFactory(author=bob, hidden=True)
    assert f'id="post-{post.pk}"' not in alice_client.get("/").content.decode()


def test_it_shows_backfilled_posts_after_following(alice_client, alice, bob):
    post = PostFactory(author=bob)
    graph.follow_create(follower=alice, followee=bob)
    assert f'id="post-{post.pk}"' in alice_client.get("/").content.decode()


def test_it_paginates_with_a_cursor_and_htmx_partial(alice_client, alice):
    posts = [PostFactory(author=alice, caption=f"p{i}") for i in range(FEED_PAGE_SIZE + 3)]
    r = alice_client.get("/")
    page1 = r.context["page"]
    assert [p.pk for p in page1.items] == [p.pk for p in reversed(posts)][:FEED_PAGE_SIZE]
    assert page1.next_cursor
    assert b"Older posts" in r.content and b'hx-trigger="revealed"' in r.content
    r = alice_client.get(f"/?cursor={page1.next_cursor}", **HX)
    assert r.status_code == 200
    assert b"<html" not in r.content  # the partial only
    assert [p.pk for p in r.context["page"].items] == [p.pk for p in reversed(posts[:3])]
    assert r.context["page"].next_cursor is None
    # without JS the same link renders the full page
    assert b"<html" in alice_client.get(f"/?cursor={page1.next_cursor}").content


def test_it_answers_a_broken_cursor_with_400(alice_client):
    assert alice_client.get("/?cursor=not-a-cursor").status_code == 400


def test_it_suggests_people_when_the_feed_is_empty(alice_client, bob, charlie):
    r = alice_client.get("/")
    assert b"Suggested for you" in r.content
    assert b"bob" in r.content and b"charlie" in r.content


def test_suggestions_leave_out_followed_requested_and_blocked(alice_client, alice, bob, charlie):
    dave = make_user("dave", is_private=True)
    erin = make_user("erin")
    graph.block_create(blocker=erin, blocked=alice)
    graph.follow_create(follower=alice, followee=bob)
    graph.follow_delete(follower=alice, followee=bob)
    graph.follow_create(follower=alice, followee=charlie)
    graph.follow_create(follower=alice, followee=dave)  # a request
    from social.selectors import suggestions_for

    names = {u.username for u in suggestions_for(alice)}
    assert "charlie" not in names and "dave" not in names and "erin" not in names and "alice" not in names
    assert "bob" in names


@pytest.mark.parametrize("n_posts", [1, 20])
def test_feed_query_count_is_constant(alice_client, alice, bob, django_assert_num_queries, n_posts):
    graph.follow_create(follower=alice, followee=bob)
    for i in range(n_posts):
        post = PostFactory(author=bob if i % 2 else alice, caption=f"post {i} @alice #tag")
        like_create(user=bob, post_id=post.pk)
        comment_create(user=bob, post_id=post.pk, body="nice")
    alice_client.get("/")  # warms the cached unread badge
    # 1 session, 2 user, 3 fan-out rows with their authors, the viewer's liked/saved flags and a
    # followed liker's id (`with_card_state`), and whether any followee is in pull mode (no: the
    # pulled authors' query is not run), 4 media prefetch for the page, 5 latest comments of the
    # page's posts with their authors, 6 the followed likers (users by id), 7 the stories tray
    # (posts.stories.selectors.story_tray, one query whatever the number of people)
    with django_assert_num_queries(7):
        r = alice_client.get("/")
    assert r.status_code == 200
    assert len(r.context["page"].items) == min(n_posts, FEED_PAGE_SIZE)


@pytest.mark.parametrize("n_posts", [1, 20])
def test_feed_next_page_fragment_query_count_is_constant(alice_client, alice, bob, django_assert_num_queries, n_posts):
    graph.follow_create(follower=alice, followee=bob)
    posts = [PostFactory(author=bob, caption=f"post {i}") for i in range(n_posts + 1)]
    alice_client.get("/")  # warms the cached unread badge
    cursor = encode_cursor(posts[-1].created, posts[-1].pk)  # the page after the newest post
    for post in posts:
        like_create(user=bob, post_id=post.pk)
    # 1 session, 2 user, 3 fan-out rows after the cursor with the card state (LIMIT size + 1), 4
    # media prefetch, 5 latest comments, 6 the followed likers
    with django_assert_num_queries(6) as queries:
        r = alice_client.get(f"/?cursor={cursor}", **HX)
    assert b"<html" not in r.content
    assert len(r.context["page"].items) == min(n_posts, FEED_PAGE_SIZE)
    # the fan-out condition and the keyset share one join (a second one would multiply rows)
    assert queries.captured_queries[2]["sql"].count('JOIN "social_feeditem"') == 1


def test_feed_query_count_same_for_1_and_20_posts(alice, bob, client):
    client.force_login(alice)
    graph.follow_create(follower=alice, followee=bob)
    counts = []
    for n in (1, 19):
        for i in range(n):
            PostFactory(author=bob, caption=f"{i}")
        client.get("/")
        with CaptureQueriesContext(connection) as ctx:
            client.get("/")
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_it_answers_a_cursor_with_an_overflowing_id_with_400(alice_client):
    import base64

    raw = b"2026-01-01T00:00:00+00:00|99999999999999999999999"
    cursor = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    assert alice_client.get("/", {"cursor": cursor}).status_code == 400


def test_the_compiled_first_page_is_each_viewers_own(alice, bob, charlie):
    """The first page's SQL is compiled once and shared; what it reads is each viewer's: their own
    rows, their likes and saves, their blocks, their followees' likes, staff seeing hidden posts."""
    from accounts.tests.factories import BlockFactory
    from posts.models import Post
    from posts.services import save_create
    from social.selectors import feed_page

    graph.follow_create(follower=alice, followee=charlie)
    graph.follow_create(follower=bob, followee=charlie)
    graph.follow_create(follower=bob, followee=alice)
    shown, hidden = PostFactory(author=charlie), PostFactory(author=charlie)
    Post.objects.filter(pk=hidden.pk).update(is_hidden=True)
    own = PostFactory(author=alice)
    like_create(user=alice, post_id=shown.pk)
    save_create(user=bob, post_id=shown.pk)
    staff = make_user("staffer", is_staff=True)
    graph.follow_create(follower=staff, followee=charlie)
    for _ in range(2):  # the second round runs the SQL compiled in the first
        a, b, s = feed_page(alice).items, feed_page(bob).items, feed_page(staff).items
        assert [p.pk for p in a] == [own.pk, shown.pk]
        assert [p.pk for p in b] == [own.pk, shown.pk]
        assert [p.pk for p in s] == [hidden.pk, shown.pk]
        assert [(p.viewer_liked, p.viewer_saved) for p in a] == [(False, False), (True, False)]
        assert [(p.viewer_liked, p.viewer_saved) for p in b] == [(False, False), (False, True)]
        assert [p.friend_liker_id for p in b] == [None, alice.pk]  # bob follows alice, who liked it
        assert [p.friend_liker_id for p in a] == [None, None]
    BlockFactory(blocker=bob, blocked=alice)
    assert [p.pk for p in feed_page(bob).items] == [shown.pk]
    assert [p.friend_liker_id for p in feed_page(bob).items] == [None]
