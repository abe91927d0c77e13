"""The posts factories: `PostFactory` and the engagement factories go through the services."""

import pytest

from posts.models import Post

from .factories import CommentFactory, LikeFactory, PostFactory, PostRowsFactory, SaveFactory

pytestmark = pytest.mark.django_db


def test_post_factory_goes_through_the_service(alice):
    post = PostFactory(author=alice, caption="#sunset", images=2, alt="a tree")
    alice.refresh_from_db()
    assert alice.post_count == 1  # the service's counter
    assert post.media_count == 2 and [m.alt_text for m in post.media.all()] == ["a tree", "a tree"]
    assert [t.name for t in post.hashtags.all()] == ["sunset"]
    assert not post.is_hidden and PostFactory(author=alice, hidden=True).is_hidden


def test_post_rows_factory_writes_rows_only(bob):
    post = PostRowsFactory(author=bob, media=3, hidden=True)
    bob.refresh_from_db()
    assert bob.post_count == 0  # no service ran
    assert (post.media_count, post.media.count(), post.is_hidden) == (3, 3, True)


def test_like_and_comment_factories_go_through_the_services(alice, bob):
    post = PostRowsFactory(author=bob)
    LikeFactory(user=alice, post=post)
    CommentFactory(author=alice, post=post, body="lovely")
    post = Post.objects.get(pk=post.pk)
    assert (post.like_count, post.comment_count) == (1, 1)


def test_save_factory_goes_through_the_service_and_its_visibility_check(alice, bob):
    from django.http import Http404

    from accounts.tests.factories import make_private

    post = PostRowsFactory(author=bob)
    assert SaveFactory(user=alice, post=post).post == post
    make_private(bob)
    with pytest.raises(Http404):  # save_create refuses a post the user may not see
        SaveFactory(user=alice, post=PostRowsFactory(author=bob))
