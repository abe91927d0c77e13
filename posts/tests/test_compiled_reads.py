"""instaclone.compiled: the profile's and the post page's reads, compiled once per kind of viewer,
return what the ORM returns for every viewer (the rule runs as compiled SQL, never rewritten)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from accounts.models import User
from accounts.selectors import user_get_for_viewer
from accounts.tests.factories import BlockFactory, FollowFactory, make_private
from instaclone import compiled
from instaclone.compiled import StandInViewer, compiled_fetch, viewer_key
from posts import selectors
from posts.models import Comment, Post

from .factories import CommentFactory, PostRowsFactory

pytestmark = pytest.mark.django_db


def _orm_posts(viewer, author):
    return list(selectors.post_queryset(viewer).filter(author_id=author.pk).order_by("-created", "-id"))


@pytest.fixture
def world(alice, bob, charlie):
    """bob: public, 3 posts (one hidden by moderators); charlie: private, followed by alice."""
    make_private(charlie)
    FollowFactory(follower=alice, followee=charlie)
    posts = [PostRowsFactory(author=bob, media=2) for _ in range(3)]
    Post.objects.filter(pk=posts[0].pk).update(is_hidden=True)
    PostRowsFactory(author=charlie)
    for post in posts[1:]:
        CommentFactory(post=post, author=charlie, body="hi @bob #sun")
    return posts


def _viewers(alice, bob, charlie):
    staff = User.objects.create_user("staffer", "staff@example.com", "x", is_staff=True)
    return [None, AnonymousUser(), alice, bob, charlie, staff]


def test_profile_grid_first_page_is_what_the_orm_reads_for_every_viewer(world, alice, bob, charlie):
    for viewer in _viewers(alice, bob, charlie):
        for owner in (bob, charlie):
            page = selectors.profile_grid_page(viewer, owner, None)
            expected = _orm_posts(viewer, owner)
            assert [p.pk for p in page.items] == [p.pk for p in expected]
            for got, want in zip(page.items, expected, strict=True):
                assert got.created == want.created and got.is_hidden is want.is_hidden
                assert got.author.username == want.author.username  # select_related
                assert [m.pk for m in got.media.all()] == [m.pk for m in want.media.all()]  # prefetched


def test_profile_grid_first_page_has_the_keyset_cursor(world, alice, bob, settings):
    settings.POSTS_PAGE_SIZE = 1
    page = selectors.profile_grid_page(alice, bob, None)
    second = selectors.profile_grid_page(alice, bob, page.next_cursor)
    assert page.has_next and [p.pk for p in page.items + second.items] == [
        p.pk for p in _orm_posts(alice, bob)
    ]


def test_owner_lookup_is_what_the_orm_reads(world, alice, bob, charlie):
    for viewer in _viewers(alice, bob, charlie):
        for name in ("bob", "Charlie", "alice"):
            owner = user_get_for_viewer(viewer, name)
            want = User.objects.visible_to(viewer).with_content_visible_to(viewer).by_username(name).get()
            assert owner.pk == want.pk and owner.content_visible is want.content_visible


def test_owner_lookup_across_a_block_or_of_a_suspended_account_is_404(alice, bob, charlie):
    BlockFactory(blocker=bob, blocked=alice)
    User.objects.filter(pk=charlie.pk).update(is_active=False)
    for name in ("bob", "charlie", "nobody", "ålice"):
        with pytest.raises(Http404):
            user_get_for_viewer(alice, name)
    assert user_get_for_viewer(None, "bob").pk == bob.pk


def test_post_and_comments_are_what_the_orm_reads(world, alice, bob, charlie):
    for viewer in _viewers(alice, bob, charlie):
        for post in Post.objects.all():
            visible = selectors.post_queryset(viewer).filter(pk=post.pk).first()
            if visible is None:
                with pytest.raises(Http404):
                    selectors.post_get_for_viewer(viewer, post.pk)
                continue
            got = selectors.post_get_for_viewer(viewer, post.pk)
            assert got.pk == visible.pk and got.author.pk == visible.author.pk
            comments = selectors.comments_page(viewer, got).items
            want = Comment.objects.visible_to(viewer).filter(post=got).order_by("created", "id")
            assert [c.pk for c in comments] == [c.pk for c in want]
            assert all('href="/explore/tags/sun/"' in c.body_html for c in comments)


def test_an_id_no_row_can_have_is_404(alice):
    for pk in (0, -1, 2**63, 2**70):
        with pytest.raises(Http404):
            selectors.post_get_for_viewer(alice, pk)


def test_each_kind_of_viewer_is_compiled_once(world, alice, bob, charlie):
    built = []

    def build(viewer, author_id):
        built.append(viewer)
        return Post.objects.visible_to(viewer).filter(author_id=author_id)

    key = ("test_each_kind_of_viewer_is_compiled_once",)
    for viewer in (alice, charlie, bob):
        got = compiled_fetch((*key, *viewer_key(viewer)), build, viewer, bob.pk)
        assert sorted(p.pk for p in got) == sorted(
            p.pk for p in Post.objects.visible_to(viewer).filter(author=bob)
        )
    assert len(built) == 1 and isinstance(built[0], StandInViewer)  # alice, charlie, bob: one kind
    compiled_fetch((*key, *viewer_key(None)), build, None, bob.pk)
    assert len(built) == 2 and built[1] is None


def test_a_query_reading_what_the_key_lacks_is_refused(alice):
    def build(viewer):
        return Post.objects.filter(author__username=viewer.username)

    with pytest.raises(LookupError):
        compiled_fetch(("test_a_query_reading_what_the_key_lacks_is_refused",), build, alice)
    assert not any(
        key[-1][0] == "test_a_query_reading_what_the_key_lacks_is_refused" for key in compiled._cache
    )


def test_compiled_reads_are_counted_as_queries(world, alice, bob, django_assert_num_queries):
    selectors.profile_grid_page(alice, bob, None)  # compile
    with django_assert_num_queries(2):  # the page, its media
        selectors.profile_grid_page(alice, bob, None)


def test_prefetched_media_are_in_order_and_know_their_post_without_a_query(
    world, alice, bob, django_assert_num_queries
):
    page = selectors.profile_grid_page(alice, bob, None)
    post = selectors.post_get_for_viewer(alice, page.items[0].pk)
    with django_assert_num_queries(0):  # privacy of a media URL reads media.post.author
        for item in [*page.items, post]:
            media = list(item.media.all())
            assert len(media) == 2 and [m.position for m in media] == sorted(m.position for m in media)
            assert all(m.post is item and m.post.author.pk == bob.pk for m in media)
            assert item.media.all()[0] == media[0] and len(item.media.all()) == 2
