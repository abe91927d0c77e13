"""Archive: the author hides a post from their profile without deleting it and restores it
(services/archive.py); the post is its author's alone meanwhile (the visibility rule); the author's
post_count leaves it out, as check_counters does."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import FollowFactory
from posts import selectors, services
from posts.models import Post

from .factories import HX, PostFactory, PostRowsFactory, post_url

pytestmark = pytest.mark.django_db


def _post_count(user) -> int:
    return User.objects.get(pk=user.pk).post_count


def test_archive_and_unarchive_move_the_post_count_once(alice):
    post = PostFactory(author=alice, caption="sunset #beach")
    assert _post_count(alice) == 1
    services.post_archive(post=post, by=alice)
    services.post_archive(post=post, by=alice)  # twice: counted once
    post.refresh_from_db()
    assert post.is_archived and post.archived_at is not None
    assert _post_count(alice) == 0
    services.post_unarchive(post=post, by=alice)
    services.post_unarchive(post=post, by=alice)
    post.refresh_from_db()
    assert not post.is_archived and post.archived_at is None
    assert _post_count(alice) == 1


def test_deleting_an_archived_post_does_not_decrement_the_count_again(alice):
    kept, archived = PostFactory(author=alice), PostFactory(author=alice)
    services.post_archive(post=archived, by=alice)
    assert _post_count(alice) == 1
    services.post_delete(post=archived)
    assert _post_count(alice) == 1
    services.post_delete(post=kept)
    assert _post_count(alice) == 0


def test_only_the_author_may_archive(alice, bob, staff_user):
    post = PostRowsFactory(author=bob)
    for someone in (alice, staff_user):
        with pytest.raises(services.ArchiveError):
            services.post_archive(post=post, by=someone)
    assert not Post.objects.get(pk=post.pk).is_archived


@pytest.fixture
def staff_user(db):
    from accounts.tests.factories import UserFactory

    return UserFactory(username="staffer", is_staff=True)


def test_archived_post_is_a_404_for_everyone_else(client, alice, bob, staff_user):
    post = PostFactory(author=bob, caption="#secret")
    FollowFactory(follower=alice, followee=bob)
    services.post_archive(post=post, by=bob)
    for viewer in (alice, staff_user):
        client.force_login(viewer)
        assert client.get(post.get_absolute_url()).status_code == 404
    client.logout()
    assert client.get(post.get_absolute_url()).status_code == 404
    client.force_login(bob)
    html = client.get(post.get_absolute_url()).content.decode()
    assert "Archived: only you can see this post." in html and "Show on profile" in html


def test_archived_post_leaves_profile_feed_and_hashtag_even_for_its_author(client, alice, bob):
    shown, archived = PostFactory(author=bob, caption="#tide one"), PostFactory(author=bob, caption="#tide two")
    FollowFactory(follower=alice, followee=bob)
    services.post_archive(post=archived, by=bob)
    for viewer in (alice, bob):
        client.force_login(viewer)
        for url in ("/bob/", "/", "/explore/tags/tide/"):
            html = client.get(url).content.decode()
            assert shown.get_absolute_url() in html, (viewer, url)
            assert archived.get_absolute_url() not in html, (viewer, url)
    assert [p.pk for p in selectors.profile_grid_page(bob, bob, None).items] == [shown.pk]


def test_unarchive_restores_the_post_in_its_place(client, alice, bob):
    older = PostFactory(author=bob)
    newer = PostFactory(author=bob)
    FollowFactory(follower=alice, followee=bob)
    services.post_archive(post=older, by=bob)
    services.post_unarchive(post=older, by=bob)
    client.force_login(alice)
    html = client.get("/").content.decode()
    assert html.index(f'id="post-{newer.pk}"') < html.index(f'id="post-{older.pk}"')


def test_archive_page_lists_only_the_viewers_archived_posts_newest_archived_first(client, alice, bob):
    first, second, not_archived = PostRowsFactory(author=alice), PostRowsFactory(author=alice), PostRowsFactory(author=alice)
    theirs = PostRowsFactory(author=bob)
    services.post_archive(post=first, by=alice)
    services.post_archive(post=second, by=alice)
    services.post_archive(post=theirs, by=bob)
    assert [p.pk for p in selectors.archive_page(alice).items] == [second.pk, first.pk]
    client.force_login(alice)
    html = client.get("/archive/").content.decode()
    assert f'id="archived-{first.pk}"' in html and f'id="archived-{second.pk}"' in html
    assert f'id="archived-{not_archived.pk}"' not in html and f'id="archived-{theirs.pk}"' not in html


def test_archive_page_keyset_pages(client, alice, monkeypatch):
    monkeypatch.setattr(selectors, "ARCHIVE_PAGE_SIZE", 2)
    posts = [PostRowsFactory(author=alice) for _ in range(3)]
    for p in posts:
        services.post_archive(post=p, by=alice)
    client.force_login(alice)
    first = client.get("/archive/").content.decode()
    assert 'id="archive-more"' in first and f'id="archived-{posts[0].pk}"' not in first
    cursor = selectors.archive_page(alice).next_cursor
    more = client.get(f"/archive/?cursor={cursor}", **HX).content.decode()
    assert "<html" not in more and f'id="archived-{posts[0].pk}"' in more and 'id="archive-more"' not in more
    assert client.get("/archive/?cursor=bogus").status_code == 400


@pytest.mark.parametrize("n", [1, 5])
def test_archive_page_queries_do_not_grow_with_posts(client, alice, n, django_assert_num_queries):
    for _ in range(n):
        services.post_archive(post=PostRowsFactory(author=alice), by=alice)
    client.force_login(alice)
    client.get("/archive/")  # warm the session and the user's caches
    # session, user, archived posts, their media (+ the nav's unread badge, cached after the first page)
    with django_assert_num_queries(4):
        response = client.get("/archive/")
    assert response.status_code == 200


def test_archive_page_needs_login(client):
    response = client.get("/archive/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_archive_views_are_post_only_and_the_authors_alone(client, alice, bob):
    post = PostRowsFactory(author=bob)
    client.force_login(alice)
    assert client.post(post_url("archive", post)).status_code == 404
    assert client.get(post_url("archive", post)).status_code == 405
    client.force_login(bob)
    response = client.post(post_url("archive", post))
    assert response.status_code == 302 and response["Location"] == "/bob/"
    assert Post.objects.get(pk=post.pk).is_archived
    response = client.post(post_url("unarchive", post), {"next": "/archive/"})
    assert response.status_code == 302 and response["Location"] == "/archive/"
    assert not Post.objects.get(pk=post.pk).is_archived


def test_editing_an_archived_post_still_works(client, alice):
    post = PostFactory(author=alice, caption="old")
    services.post_archive(post=post, by=alice)
    media = post.media.get()
    client.force_login(alice)
    response = client.post(post_url("edit", post), {"caption": "new #words", f"alt_{media.pk}": "a tree"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.caption == "new #words" and post.is_archived
