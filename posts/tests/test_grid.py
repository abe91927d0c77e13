"""Profile grid and hashtag page: newest first, keyset pagination, HTMX infinite scroll, budgets."""

import pytest

from instaclone.pagination import decode_cursor, encode_cursor
from posts.models import Post

from .factories import PostFactory, PostRowsFactory


def _bulk_posts(author, n, *, caption=""):
    """n one-photo posts, newest first: one made by the service, the rest as rows (fast; the grid
    reads only their rendition names)."""
    PostFactory(author=author, caption=caption)
    for _ in range(n - 1):
        post = PostRowsFactory(author=author, caption=caption)
        if caption:
            from posts.services.posts import _set_hashtags

            _set_hashtags(post, caption)
    return list(Post.objects.filter(author=author).order_by("-created", "-id"))


def test_grid_shows_newest_first_with_badges(client, alice):
    PostFactory(author=alice, caption="old")
    multi = PostFactory(author=alice, caption="new", images=3)
    html = client.get("/alice/").content.decode()
    assert html.index(f'href="/p/{multi.pk}/"') < html.index("old") if "old" in html else True
    links = [chunk.split('"')[0] for chunk in html.split('class="tile" href="')[1:]]
    assert links[0] == f"/p/{multi.pk}/"
    assert "3 items" in html
    assert 'loading="eager"' in html


def test_grid_uses_320_renditions_never_originals(client, alice):
    post = PostFactory(author=alice)
    media = post.media.get()
    html = client.get("/alice/").content.decode()
    assert f"/media/{media.renditions['320']}" in html
    assert f"/media/{media.file}" not in html


def test_grid_paginates_with_cursor_and_more_link(client, alice, settings):
    settings.POSTS_PAGE_SIZE = 3
    posts = _bulk_posts(alice, 7)
    html = client.get("/alice/").content.decode()
    for p in posts[:3]:
        assert f'href="/p/{p.pk}/"' in html
    assert f'href="/p/{posts[3].pk}/"' not in html
    cursor = encode_cursor(posts[2].created, posts[2].pk)
    assert f'href="/alice/?cursor={cursor}"' in html  # plain link, works without JS
    assert f'hx-get="/p/u/alice/grid/?cursor={cursor}"' in html and 'hx-trigger="revealed"' in html
    # the HTMX request for the next page returns only tiles (all lazy) and the next "more" link
    part = client.get(f"/p/u/alice/grid/?cursor={cursor}", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in part and 'loading="lazy"' in part and 'loading="eager"' not in part
    assert [f'href="/p/{p.pk}/"' in part for p in posts] == [False] * 3 + [True] * 3 + [False]
    # without HTMX the next-page URL sends you to the profile at that cursor
    plain = client.get(f"/p/u/alice/grid/?cursor={cursor}")
    assert plain.status_code == 302 and plain["Location"] == f"/alice/?cursor={cursor}"
    last = client.get(f"/alice/?cursor={encode_cursor(posts[5].created, posts[5].pk)}").content.decode()
    assert f'href="/p/{posts[6].pk}/"' in last and "More posts" not in last


def test_post_added_while_scrolling_is_neither_repeated_nor_skipped(alice, settings):
    from posts.selectors import profile_grid_page

    settings.POSTS_PAGE_SIZE = 2
    posts = _bulk_posts(alice, 4)
    first = profile_grid_page(None, alice, None)
    PostFactory(author=alice)  # newer than everything
    second = profile_grid_page(None, alice, first.next_cursor)
    assert [p.pk for p in first] + [p.pk for p in second] == [p.pk for p in posts]


@pytest.mark.parametrize("cursor", ["garbage", "bm90LWEtY3Vyc29y", "%00", "MjAyNC0wMS0wMXww"])
def test_garbage_cursor_is_400(client, alice, cursor):
    PostFactory(author=alice)
    assert client.get(f"/alice/?cursor={cursor}").status_code == 400
    assert client.get(f"/p/u/alice/grid/?cursor={cursor}", HTTP_HX_REQUEST="true").status_code == 400


def test_cursor_round_trip(alice):
    post = PostFactory(author=alice)
    assert decode_cursor(encode_cursor(post.created, post.pk)) == (post.created, post.pk)


def test_private_grid_fragment_is_404_for_strangers(client, alice, bob):
    alice.is_private = True
    alice.save()
    PostFactory(author=alice)
    client.force_login(bob)
    assert client.get("/p/u/alice/grid/", HTTP_HX_REQUEST="true").status_code == 404
    assert "tile" not in client.get("/alice/").content.decode()


@pytest.mark.parametrize("n", [1, 24])
def test_profile_grid_query_count_same_for_1_and_24_posts(client, alice, bob, n, django_assert_num_queries):
    client.force_login(bob)
    _bulk_posts(alice, n)
    client.get("/alice/")  # warm the default avatar and the nav's unread badge
    # 1 session, 2 user, 3 profile owner through User.objects.visible_to with the content check and
    # the viewer's follow state as columns (user_get_for_viewer with_relation: it used to be four
    # queries, owner + block check + content check + follow state), 4 grid page (LIMIT size + 1),
    # 5 media prefetch
    with django_assert_num_queries(5):
        assert client.get("/alice/").content.decode().count('class="tile"') == n


@pytest.mark.parametrize("n", [1, 24])
def test_grid_fragment_is_three_queries_for_any_page_size(client, alice, n, django_assert_num_queries):
    posts = _bulk_posts(alice, n + 1)
    cursor = encode_cursor(posts[0].created, posts[0].pk)
    # 1 owner with the content check as a column (user_get_for_viewer; the separate content check is
    # gone), 2 posts page, 3 media prefetch (anonymous viewer: no session)
    with django_assert_num_queries(3):
        part = client.get(f"/p/u/alice/grid/?cursor={cursor}", HTTP_HX_REQUEST="true").content.decode()
    assert part.count('class="tile"') == n


def test_hashtag_page_lists_visible_posts_with_that_tag(client, alice, bob):
    tagged = PostFactory(author=alice, caption="at the #Beach")
    PostFactory(author=alice, caption="no tag")
    bob.is_private = True
    bob.save()
    hidden_from_anon = PostFactory(author=bob, caption="#beach too")
    html = client.get("/explore/tags/beach/").content.decode()
    assert "#beach" in html
    assert f'href="/p/{tagged.pk}/"' in html
    assert f'href="/p/{hidden_from_anon.pk}/"' not in html
    assert html.count('class="tile"') == 1


def test_unknown_hashtag_is_404(client, db):
    assert client.get("/explore/tags/neverused/").status_code == 404


@pytest.mark.parametrize("n", [1, 24])
def test_hashtag_page_query_count_does_not_grow(client, alice, n, django_assert_num_queries):
    _bulk_posts(alice, n, caption="#sun")
    client.get("/explore/tags/sun/")
    # tag + posts page + media prefetch + the tag's post count
    with django_assert_num_queries(4):
        html = client.get("/explore/tags/sun/").content.decode()
    assert html.count('class="tile"') == n
    assert f"<strong>{n}</strong> post" in html


def test_hashtag_page_infinite_scroll_fragment(client, alice, settings):
    settings.POSTS_PAGE_SIZE = 2
    posts = _bulk_posts(alice, 3, caption="#sun")
    html = client.get("/explore/tags/sun/").content.decode()
    cursor = encode_cursor(posts[1].created, posts[1].pk)
    assert f'hx-get="/explore/tags/sun/?cursor={cursor}"' in html and f'href="/explore/tags/sun/?cursor={cursor}"' in html
    part = client.get(f"/explore/tags/sun/?cursor={cursor}", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in part and part.count('class="tile"') == 1 and f'href="/p/{posts[2].pk}/"' in part


def test_empty_grid_invites_the_owner_to_share(client, alice, bob):
    client.force_login(alice)
    assert 'href="/p/new/"' in client.get("/alice/").content.decode().split('id="post-grid"')[1]
    client.force_login(bob)
    html = client.get("/alice/").content.decode()
    assert "No posts yet." in html and "Share your first photo" not in html
