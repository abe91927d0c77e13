"""Services and selectors of posts/services.py: likes, saves, comments."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from accounts.models import Block, Follow
from posts import selectors, services
from posts.models import Comment, Like, Post, PostMedia, Save
from posts.signals import comment_created, post_liked, post_unliked

pytestmark = pytest.mark.django_db


def make_post(author, caption: str = "", *, hidden: bool = False, media: int = 1) -> Post:
    """A post with `media` image rows whose renditions are names in the storage (no files needed)."""
    post = Post.objects.create(author=author, caption=caption, is_hidden=hidden, media_count=media)
    for i in range(media):
        PostMedia.objects.create(
            post=post, position=i, file=f"posts/p{post.pk}-{i}.jpg", width=64, height=48,
            renditions={"320": f"posts/r/p{post.pk}-{i}-320.jpg", "640": f"posts/r/p{post.pk}-{i}-640.jpg",
                        "1080": f"posts/r/p{post.pk}-{i}-1080.jpg"},
        )
    return post


@pytest.fixture
def catch():
    """Record domain signals sent during a test: {"liked": [...], "unliked": [...], "comment": [...]}"""
    seen = {"liked": [], "unliked": [], "comment": []}

    def liked(sender, like, **kw):
        seen["liked"].append(like)

    def unliked(sender, like_user_id, post_id, **kw):
        seen["unliked"].append((like_user_id, post_id))

    def commented(sender, comment, mentioned, **kw):
        seen["comment"].append((comment, mentioned))

    post_liked.connect(liked, dispatch_uid="t-liked")
    post_unliked.connect(unliked, dispatch_uid="t-unliked")
    comment_created.connect(commented, dispatch_uid="t-comment")
    yield seen
    post_liked.disconnect(dispatch_uid="t-liked")
    post_unliked.disconnect(dispatch_uid="t-unliked")
    comment_created.disconnect(dispatch_uid="t-comment")


# --- likes -----------------------------------------------------------------------------------------


def test_like_twice_keeps_one_like_and_count_one(alice, bob, catch):
    post = make_post(bob)
    services.like_create(user=alice, post_id=post.pk)
    result = services.like_create(user=alice, post_id=post.pk)
    assert result.like_count == 1
    assert Like.objects.filter(post=post).count() == 1
    post.refresh_from_db()
    assert post.like_count == 1
    assert len(catch["liked"]) == 1  # a replay sends nothing


def test_unlike_twice_leaves_zero_and_never_negative(alice, bob, catch):
    post = make_post(bob)
    services.like_create(user=alice, post_id=post.pk)
    services.like_delete(user=alice, post_id=post.pk)
    result = services.like_delete(user=alice, post_id=post.pk)
    assert result.like_count == 0
    assert not Like.objects.filter(post=post).exists()
    assert catch["unliked"] == [(alice.pk, post.pk)]


def test_counters_equal_rows_after_mixed_likes_and_comments(alice, bob, charlie):
    post = make_post(bob)
    for user in (alice, bob, charlie, alice, charlie):
        services.like_create(user=user, post_id=post.pk)
    services.like_delete(user=charlie, post_id=post.pk)
    first = services.comment_create(user=alice, post_id=post.pk, body="one")
    services.comment_create(user=charlie, post_id=post.pk, body="two")
    services.comment_delete(user=alice, post_id=post.pk, comment_id=first.pk)
    post.refresh_from_db()
    assert post.like_count == Like.objects.filter(post=post).count() == 2
    assert post.comment_count == Comment.objects.filter(post=post).count() == 1


@pytest.mark.parametrize("service", ["like_create", "like_delete", "save_create", "save_delete"])
def test_acting_on_a_private_post_of_someone_not_followed_is_404(alice, bob, service):
    bob.is_private = True
    bob.save()
    post = make_post(bob)
    with pytest.raises(Http404):
        getattr(services, service)(user=alice, post_id=post.pk)
    Follow.objects.create(follower=alice, followee=bob)
    getattr(services, service)(user=alice, post_id=post.pk)  # now allowed


@pytest.mark.parametrize("blocker_is_author", [True, False])
def test_blocked_users_cannot_like_or_comment_each_others_posts(alice, bob, blocker_is_author):
    post = make_post(bob)
    if blocker_is_author:
        Block.objects.create(blocker=bob, blocked=alice)
    else:
        Block.objects.create(blocker=alice, blocked=bob)
    with pytest.raises(Http404):
        services.like_create(user=alice, post_id=post.pk)
    with pytest.raises(Http404):
        services.comment_create(user=alice, post_id=post.pk, body="hi")
    assert not Like.objects.exists() and not Comment.objects.exists()


def test_hidden_post_cannot_be_liked_saved_or_commented(alice, bob):
    post = make_post(bob, hidden=True)
    for call in (
        lambda: services.like_create(user=alice, post_id=post.pk),
        lambda: services.save_create(user=alice, post_id=post.pk),
        lambda: services.comment_create(user=alice, post_id=post.pk, body="x"),
    ):
        with pytest.raises(Http404):
            call()


def test_save_twice_keeps_one_save(alice, bob):
    post = make_post(bob)
    services.save_create(user=alice, post_id=post.pk)
    services.save_create(user=alice, post_id=post.pk)
    assert Save.objects.filter(user=alice, post=post).count() == 1
    services.save_delete(user=alice, post_id=post.pk)
    services.save_delete(user=alice, post_id=post.pk)
    assert not Save.objects.exists()


# --- comments --------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["", "   \n  ", "x" * 2201])
def test_empty_or_overlong_comment_is_refused_and_nothing_saved(alice, bob, body):
    post = make_post(bob)
    with pytest.raises(ValidationError):
        services.comment_create(user=alice, post_id=post.pk, body=body)
    post.refresh_from_db()
    assert post.comment_count == 0 and not Comment.objects.exists()


def test_comment_of_exactly_2200_characters_is_accepted(alice, bob):
    post = make_post(bob)
    comment = services.comment_create(user=alice, post_id=post.pk, body="y" * 2200)
    assert len(comment.body) == 2200 and comment.post.comment_count == 1


def test_comment_mentions_notify_only_people_allowed(alice, bob, charlie, catch):
    from instaclone.testing import make_user

    make_user("dave")
    post = make_post(bob)
    Block.objects.create(blocker=charlie, blocked=alice)  # charlie blocked the commenter
    body = "hi @Bob @charlie @dave @nobody @alice"
    comment = services.comment_create(user=alice, post_id=post.pk, body=body)
    (sent_comment, mentioned), = catch["comment"]
    assert sent_comment == comment
    # bob is the post's author (told by the comment notification itself), charlie blocked alice,
    # nobody does not exist, alice is the commenter: only dave is mentioned
    assert {u.username for u in mentioned} == {"dave"}


def test_comment_mention_is_not_sent_to_someone_who_cannot_see_the_private_post(alice, bob, charlie, catch):
    bob.is_private = True
    bob.save()
    Follow.objects.create(follower=alice, followee=bob)
    post = make_post(bob)
    services.comment_create(user=alice, post_id=post.pk, body="@charlie look")
    (_, mentioned), = catch["comment"]
    assert mentioned == []


def test_comment_body_is_escaped_and_mentions_linked(alice, bob):
    post = make_post(bob)
    comment = services.comment_create(user=alice, post_id=post.pk, body='<script>alert(1)</script> @bob')
    assert "<script>" not in comment.body_html
    assert "&lt;script&gt;" in comment.body_html
    assert 'href="/bob/"' in comment.body_html


def test_delete_own_comment(alice, bob):
    post = make_post(bob)
    comment = services.comment_create(user=alice, post_id=post.pk, body="mine")
    result = services.comment_delete(user=alice, post_id=post.pk, comment_id=comment.pk)
    assert result.comment_count == 0 and not Comment.objects.exists()


def test_post_author_may_delete_any_comment_on_their_post(alice, bob):
    post = make_post(bob)
    comment = services.comment_create(user=alice, post_id=post.pk, body="rude")
    services.comment_delete(user=bob, post_id=post.pk, comment_id=comment.pk)
    assert not Comment.objects.exists()


def test_deleting_someone_elses_comment_on_their_post_is_forbidden(alice, bob, charlie):
    post = make_post(bob)
    comment = services.comment_create(user=bob, post_id=post.pk, body="my own post")
    with pytest.raises(PermissionDenied):
        services.comment_delete(user=charlie, post_id=post.pk, comment_id=comment.pk)
    assert Comment.objects.filter(pk=comment.pk).exists()
    post.refresh_from_db()
    assert post.comment_count == 1


def test_comment_id_of_another_post_is_404(alice, bob):
    post, other = make_post(bob), make_post(alice)
    comment = services.comment_create(user=alice, post_id=other.pk, body="elsewhere")
    with pytest.raises(Http404):
        services.comment_delete(user=bob, post_id=post.pk, comment_id=comment.pk)


# --- selectors -------------------------------------------------------------------------------------


def test_latest_comments_gives_the_last_two_per_post_oldest_first(alice, bob, charlie):
    p1, p2, p3 = make_post(bob), make_post(bob), make_post(bob)
    for text in ("a", "b", "c"):
        services.comment_create(user=alice, post_id=p1.pk, body=text)
    services.comment_create(user=charlie, post_id=p2.pk, body="only")
    latest = selectors.latest_comments([p1.pk, p2.pk, p3.pk], alice)
    assert [c.body for c in latest[p1.pk]] == ["b", "c"]
    assert [c.body for c in latest[p2.pk]] == ["only"]
    assert latest[p3.pk] == []


def test_hidden_and_blocked_comments_are_not_shown(alice, bob, charlie):
    post = make_post(bob)
    services.comment_create(user=alice, post_id=post.pk, body="visible")
    hidden = services.comment_create(user=alice, post_id=post.pk, body="hidden")
    Comment.objects.filter(pk=hidden.pk).update(is_hidden=True)
    services.comment_create(user=charlie, post_id=post.pk, body="by charlie")
    Block.objects.create(blocker=alice, blocked=charlie)
    bodies = [c.body for c in selectors.comments_page(alice, post).items]
    assert bodies == ["visible"]
    assert [c.body for c in selectors.latest_comments([post.pk], alice)[post.pk]] == ["visible"]
    # bob (no block) still sees charlie's comment
    assert [c.body for c in selectors.comments_page(bob, post).items] == ["visible", "by charlie"]


def test_comments_page_loads_more_oldest_first_without_repeats(alice, bob):
    post = make_post(bob)
    for i in range(5):
        services.comment_create(user=alice, post_id=post.pk, body=f"c{i}")
    first = selectors.comments_page(bob, post, size=2)
    second = selectors.comments_page(bob, post, cursor=first.next_cursor, size=2)
    third = selectors.comments_page(bob, post, cursor=second.next_cursor, size=2)
    assert [c.body for c in first.items + second.items + third.items] == [f"c{i}" for i in range(5)]
    assert third.next_cursor is None


def test_viewer_state_and_cards_context(alice, bob, charlie):
    p1, p2 = make_post(bob), make_post(bob)
    services.like_create(user=alice, post_id=p1.pk)
    services.save_create(user=alice, post_id=p2.pk)
    services.like_create(user=charlie, post_id=p2.pk)
    Follow.objects.create(follower=alice, followee=charlie)
    posts = [p1, p2]
    ctx = selectors.cards_context(alice, posts)
    assert ctx["liked_ids"] == {p1.pk} and ctx["saved_ids"] == {p2.pk}
    assert p2.card_liked_by == charlie and p1.card_liked_by is None
    assert selectors.viewer_state(None, [p1.pk]) == (set(), set())


def test_saved_page_drops_posts_that_became_invisible(alice, bob, charlie):
    kept, hidden, blocked = make_post(bob), make_post(bob), make_post(charlie)
    for post in (kept, hidden, blocked):
        services.save_create(user=alice, post_id=post.pk)
    Post.objects.filter(pk=hidden.pk).update(is_hidden=True)
    Block.objects.create(blocker=charlie, blocked=alice)
    assert [s.post_id for s in selectors.saved_page(alice).items] == [kept.pk]
