"""The feed's reads keep the viewer's block and follow subqueries on the viewer object for the
request (accounts.visibility): SQL, not data, so a block or follow made later, even with the same
viewer object, applies to the next read at once."""

import pytest

from accounts.services import graph
from accounts.tests.factories import BlockFactory
from posts.services import comment_create
from posts.tests.factories import PostFactory
from social.selectors import feed_page

pytestmark = pytest.mark.django_db


def test_a_block_after_a_read_applies_to_the_same_viewer_objects_next_read(alice, bob, charlie):
    from posts.selectors import cards_context

    graph.follow_create(follower=alice, followee=bob)
    graph.follow_create(follower=alice, followee=charlie)
    post = PostFactory(author=bob)
    comment_create(user=charlie, post_id=post.pk, body="hi")
    page = feed_page(alice)
    assert [p.pk for p in page.items] == [post.pk]
    assert [c.body for c in cards_context(alice, page.items)["latest_comments"][post.pk]] == ["hi"]
    BlockFactory(blocker=charlie, blocked=alice)  # the same alice object reads again
    page = feed_page(alice)
    assert [c.body for c in cards_context(alice, page.items)["latest_comments"][post.pk]] == []
    BlockFactory(blocker=alice, blocked=bob)
    assert feed_page(alice).items == []


def test_an_unfollow_after_a_read_applies_to_the_same_viewer_objects_next_read(alice, bob):
    from accounts.models import Follow
    from accounts.tests.factories import make_private

    graph.follow_create(follower=alice, followee=bob)
    post = PostFactory(author=bob)
    make_private(bob)
    assert [p.pk for p in feed_page(alice).items] == [post.pk]  # a private account alice follows
    Follow.objects.filter(follower=alice, followee=bob).delete()  # its feed row is still there
    assert feed_page(alice).items == []


def test_a_viewer_object_that_has_read_the_feed_pickles_without_running_queries(
    alice, django_assert_num_queries
):
    import pickle

    feed_page(alice)
    with django_assert_num_queries(0):
        copy = pickle.loads(pickle.dumps(alice))  # noqa: S301 - bytes made here
    assert copy == alice and feed_page(copy).items == []
