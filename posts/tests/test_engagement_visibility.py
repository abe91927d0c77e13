"""Who sees a comment or a like on a post they may see: the commenter's profile rule
(accounts.visibility.visible_profiles_q), not the commenter's content rule."""

import pytest

from accounts.models import Block
from accounts.tests.factories import BlockFactory
from posts.selectors import comments_page, likers_page
from posts.services import comment_create, like_create

from .factories import PostFactory


@pytest.fixture
def public_post(alice):
    return PostFactory(author=alice, caption="sunset")


@pytest.mark.django_db
def test_private_accounts_comment_on_a_public_post_is_visible_to_strangers(public_post, bob, charlie):
    bob.is_private = True
    bob.save()
    comment_create(user=bob, post_id=public_post.pk, body="lovely")
    assert [c.body for c in comments_page(charlie, public_post).items] == ["lovely"]
    assert [c.body for c in comments_page(None, public_post).items] == ["lovely"]


@pytest.mark.django_db
@pytest.mark.parametrize("direction", ["viewer_blocked_commenter", "commenter_blocked_viewer"])
def test_comments_and_likes_across_a_block_are_hidden(public_post, bob, charlie, direction):
    comment_create(user=bob, post_id=public_post.pk, body="hi")
    like_create(user=bob, post_id=public_post.pk)
    if direction == "viewer_blocked_commenter":
        BlockFactory(blocker=charlie, blocked=bob)
    else:
        BlockFactory(blocker=bob, blocked=charlie)
    assert comments_page(charlie, public_post).items == []
    assert likers_page(charlie, public_post).items == []
    assert [c.body for c in comments_page(None, public_post).items] == ["hi"]


@pytest.mark.django_db
def test_suspended_commenters_comments_are_hidden(public_post, bob, charlie):
    comment_create(user=bob, post_id=public_post.pk, body="spam")
    bob.is_active = False
    bob.save()
    assert comments_page(charlie, public_post).items == []


@pytest.mark.django_db
def test_staff_see_hidden_posts_but_not_across_privacy_or_blocks(alice, bob, client):
    from django.http import Http404

    from posts.selectors import post_get_for_viewer

    post = PostFactory(author=alice, caption="x")
    bob.is_staff = True
    bob.save()
    post.is_hidden = True
    post.save()
    assert post_get_for_viewer(bob, post.pk) == post  # staff see hidden content
    BlockFactory(blocker=alice, blocked=bob)
    with pytest.raises(Http404):
        post_get_for_viewer(bob, post.pk)
    with pytest.raises(Http404):
        like_create(user=bob, post_id=post.pk)
    Block.objects.all().delete()
    alice.is_private = True
    alice.save()
    with pytest.raises(Http404):
        post_get_for_viewer(bob, post.pk)
