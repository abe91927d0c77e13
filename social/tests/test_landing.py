"""Signed out, the landing page shows the newest public posts beside the sign-up box (issue 13):
never a private account's, a hidden, archived or suspended author's post; a constant number of
queries; the choice of posts cached briefly, their visibility never."""

import pytest
from django.core.cache import cache
from django.utils import timezone

from accounts.tests.factories import make_private
from posts.models import Post
from posts.tests.factories import PostFactory
from social import moderation
from social.selectors import LANDING_CACHE_KEY, LANDING_POSTS

pytestmark = pytest.mark.django_db


def _tile_ids(response):
    return [post.pk for post in response.context["posts"]]


def test_landing_shows_recent_public_posts_newest_first(client, alice, bob):
    older = PostFactory(author=alice, caption="older")
    newer = PostFactory(author=bob, caption="newer")
    response = client.get("/")
    assert _tile_ids(response) == [newer.pk, older.pk]
    html = response.content.decode()
    assert f'href="/p/{newer.pk}/"' in html and 'class="tile__img' in html
    assert "Sign up" in html and 'class="phone"' not in html  # real content, not the empty frame


def test_landing_never_shows_what_the_public_may_not_see(client, alice, bob, charlie, moderator):
    public = PostFactory(author=alice)
    private = PostFactory(author=bob)
    make_private(bob)
    hidden = PostFactory(author=alice, hidden=True)
    archived = PostFactory(author=alice)
    Post.objects.filter(pk=archived.pk).update(is_archived=True, archived_at=timezone.now())
    suspended = PostFactory(author=charlie)
    moderation.user_suspend(moderator=moderator, user=charlie)
    ids = _tile_ids(client.get("/"))
    assert ids == [public.pk]
    assert not {private.pk, hidden.pk, archived.pk, suspended.pk} & set(ids)


def test_a_post_hidden_after_the_choice_was_cached_is_gone_at_once(client, alice, bob, moderator):
    keep, hide = PostFactory(author=alice), PostFactory(author=bob)
    assert _tile_ids(client.get("/")) == [hide.pk, keep.pk]
    assert cache.get(LANDING_CACHE_KEY) == [hide.pk, keep.pk]  # the choice is cached...
    moderation.post_hide(moderator=moderator, post=hide)
    make_private(alice)
    assert _tile_ids(client.get("/")) == []  # ...what may be seen is read each time


def test_landing_shows_a_small_first_page(client, alice):
    for _ in range(LANDING_POSTS + 2):
        PostFactory(author=alice)
    assert len(_tile_ids(client.get("/"))) == LANDING_POSTS


def test_an_empty_site_keeps_the_welcome_art(client):
    html = client.get("/").content.decode()
    assert 'class="phone"' in html and "Sign up" in html


@pytest.mark.parametrize("n", [1, LANDING_POSTS])
def test_landing_query_count_is_constant(client, alice, n, django_assert_num_queries):
    for _ in range(n):
        PostFactory(author=alice)
    # cold: 1 the newest public posts' ids (then cached), 2 those posts through the rule, 3 their media
    with django_assert_num_queries(3):
        assert len(_tile_ids(client.get("/"))) == n
    # warm: 1 the cached ids' posts through the rule, 2 their media
    with django_assert_num_queries(2):
        assert len(_tile_ids(client.get("/"))) == n
