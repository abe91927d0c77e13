"""The profile's "Tagged" tab: the posts its owner is tagged in, as the viewer may see them."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.tests.factories import BlockFactory, FollowFactory, make_private
from instaclone.pagination import encode_cursor
from posts.models import Post, PostMedia
from posts.services import photo_tag_add
from posts.tests.factories import PostRowsFactory

pytestmark = pytest.mark.django_db


def _tagged_posts(author, person, n):
    posts = []
    for _ in range(n):
        post = PostRowsFactory(author=author)
        photo_tag_add(author=author, media=PostMedia.objects.get(post=post), user=person, x=0.5, y=0.5)
        posts.append(post)
    return posts


def _tiles(response) -> int:
    return response.content.decode().count('class="tile"')


def test_tagged_tab_lists_the_posts_the_owner_is_tagged_in(client, alice, bob, charlie):
    tagged = _tagged_posts(alice, bob, 2)
    PostRowsFactory(author=alice)  # not tagged
    PostRowsFactory(author=bob)  # bob's own
    client.force_login(charlie)
    html = client.get("/bob/tagged/").content.decode()
    assert html.count('class="tile"') == 2
    assert all(f'href="/p/{p.pk}/"' in html for p in tagged)
    assert '<span aria-current="page">Tagged</span>' in html and 'href="/bob/">Posts</a>' in html
    assert 'href="/bob/tagged/">Tagged</a>' in client.get("/bob/").content.decode()


def test_tag_on_a_private_post_is_not_in_a_strangers_tagged_tab(client, alice, bob, charlie):
    FollowFactory(follower=bob, followee=make_private(alice))
    _tagged_posts(alice, bob, 1)
    client.force_login(charlie)
    assert _tiles(client.get("/bob/tagged/")) == 0
    client.force_login(bob)
    assert _tiles(client.get("/bob/tagged/")) == 1
    FollowFactory(follower=charlie, followee=alice)
    client.force_login(charlie)
    assert _tiles(client.get("/bob/tagged/")) == 1


@pytest.mark.parametrize("direction", ["viewer_blocks_author", "author_blocks_viewer"])
def test_posts_of_someone_blocked_either_way_with_the_viewer_are_left_out(client, alice, bob, charlie, direction):
    _tagged_posts(alice, bob, 1)
    if direction == "viewer_blocks_author":
        BlockFactory(blocker=charlie, blocked=alice)
    else:
        BlockFactory(blocker=alice, blocked=charlie)
    client.force_login(charlie)
    assert _tiles(client.get("/bob/tagged/")) == 0


@pytest.mark.parametrize("direction", ["tagged_blocks_author", "author_blocks_tagged"])
def test_a_tag_between_people_who_block_each_other_is_left_out(client, alice, bob, charlie, direction):
    _tagged_posts(alice, bob, 1)
    if direction == "tagged_blocks_author":
        BlockFactory(blocker=bob, blocked=alice)
    else:
        BlockFactory(blocker=alice, blocked=bob)
    client.force_login(charlie)
    assert _tiles(client.get("/bob/tagged/")) == 0


def test_tagged_tab_of_someone_blocking_the_viewer_is_404(client, alice, bob, charlie):
    _tagged_posts(alice, bob, 1)
    BlockFactory(blocker=bob, blocked=charlie)
    client.force_login(charlie)
    assert client.get("/bob/tagged/").status_code == 404


def test_tagged_tab_of_a_private_account_is_private_to_strangers(client, alice, bob, charlie):
    _tagged_posts(alice, bob, 1)
    make_private(bob)
    client.force_login(charlie)
    response = client.get("/bob/tagged/")
    assert response.status_code == 200 and _tiles(response) == 0
    assert "This account is private" in response.content.decode()


def test_archived_and_hidden_posts_are_left_out(client, alice, bob, charlie):
    archived, hidden = _tagged_posts(alice, bob, 2)
    Post.objects.filter(pk=archived.pk).update(is_archived=True, archived_at=timezone.now())
    Post.objects.filter(pk=hidden.pk).update(is_hidden=True)
    client.force_login(charlie)
    assert _tiles(client.get("/bob/tagged/")) == 0


def test_empty_tagged_tab_says_so(client, bob):
    client.force_login(bob)
    assert "When people tag you in photos" in client.get("/bob/tagged/").content.decode()


def test_more_link_pages_with_a_cursor_and_htmx_gets_the_grid_page(client, settings, alice, bob, charlie):
    settings.POSTS_PAGE_SIZE = 2
    posts = _tagged_posts(alice, bob, 3)
    client.force_login(charlie)
    html = client.get("/bob/tagged/").content.decode()
    assert html.count('class="tile"') == 2 and "/bob/tagged/?cursor=" in html
    cursor = encode_cursor(posts[1].created, posts[1].pk)
    fragment = client.get(f"/bob/tagged/?cursor={cursor}", HTTP_HX_REQUEST="true").content.decode()
    assert fragment.count('class="tile"') == 1 and f'href="/p/{posts[0].pk}/"' in fragment
    assert "<html" not in fragment
    assert client.get("/bob/tagged/?cursor=garbage").status_code == 400


@pytest.mark.parametrize("n", [1, 24])
def test_tagged_tab_query_count_same_for_1_and_24_posts(client, alice, bob, charlie, n, django_assert_num_queries):
    _tagged_posts(alice, bob, n)
    client.force_login(charlie)
    client.get("/bob/tagged/")  # warm the default avatar and the nav's unread badge
    # 1 session, 2 user, 3 profile owner with the content check and follow state as columns
    # (user_get_for_viewer with_relation), 4 tagged posts page (id IN the person's tag rows,
    # through Post.objects.visible_to, LIMIT size + 1), 5 media prefetch
    with django_assert_num_queries(5):
        assert _tiles(client.get("/bob/tagged/")) == n
