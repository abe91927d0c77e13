import pytest

from instaclone.testing import make_user

from .factories import PostFactory

CHANGELIST = "/admin/posts/post/"


def test_changelist_thumbnails_come_from_renditions(client, alice):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    first = PostFactory(author=alice, caption="first")
    html = client.get(CHANGELIST).content.decode()
    media = first.media.get()
    assert f"/media/{media.renditions['320']}" in html and f"/media/{media.file}" not in html


@pytest.mark.parametrize("n", [1, 10])
def test_changelist_query_count_is_the_same_for_1_and_many_posts(client, alice, n, django_assert_num_queries):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    for i in range(n):
        PostFactory(author=alice, caption=f"post {i}", images=2)
    # 1 session, 2 user, 3 paginator count, 4 full result count, 5 posts page with authors,
    # 6 media prefetch (thumbnails), 7 date hierarchy bounds, 8 date hierarchy days
    with django_assert_num_queries(8):
        html = client.get(CHANGELIST).content.decode()
    assert html.count('class="admin-thumb"') == n


def test_changelist_search_by_caption_and_author_and_filters(client, alice, bob):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    PostFactory(author=alice, caption="sunset over the sea")
    PostFactory(author=bob, caption="breakfast")
    assert "sunset over" in client.get(CHANGELIST + "?q=sunset").content.decode()
    assert "breakfast" not in client.get(CHANGELIST + "?q=sunset").content.decode()
    assert "breakfast" in client.get(CHANGELIST + "?q=bob").content.decode()
    assert client.get(CHANGELIST + "?has_video__exact=1").status_code == 200
    assert client.get(CHANGELIST + "?is_hidden__exact=0").status_code == 200


def test_change_page_shows_media_inline_and_read_only_counters(client, alice):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    post = PostFactory(author=alice, images=2, alt="a tree")
    html = client.get(f"{CHANGELIST}{post.pk}/change/").content.decode()
    assert html.count('alt="a tree"') >= 2
    assert 'name="like_count"' not in html and 'name="comment_count"' not in html
