from django.db import connection
from django.test.utils import CaptureQueriesContext

from instaclone.testing import make_user

from .factories import make_post

CHANGELIST = "/admin/posts/post/"


def test_changelist_thumbnails_come_from_renditions_and_queries_do_not_grow(client, alice, django_assert_max_num_queries):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    first = make_post(alice, caption="first")
    with CaptureQueriesContext(connection) as one:
        html = client.get(CHANGELIST).content.decode()
    media = first.media.get()
    assert f"/media/{media.renditions['320']}" in html and f"/media/{media.file}" not in html
    for i in range(9):
        make_post(alice, caption=f"more {i}", n=2)
    with django_assert_max_num_queries(len(one.captured_queries)):
        html = client.get(CHANGELIST).content.decode()
    assert html.count('class="admin-thumb"') == 10


def test_changelist_search_by_caption_and_author_and_filters(client, alice, bob):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    make_post(alice, caption="sunset over the sea")
    make_post(bob, caption="breakfast")
    assert "sunset over" in client.get(CHANGELIST + "?q=sunset").content.decode()
    assert "breakfast" not in client.get(CHANGELIST + "?q=sunset").content.decode()
    assert "breakfast" in client.get(CHANGELIST + "?q=bob").content.decode()
    assert client.get(CHANGELIST + "?has_video__exact=1").status_code == 200
    assert client.get(CHANGELIST + "?is_hidden__exact=0").status_code == 200


def test_change_page_shows_media_inline_and_read_only_counters(client, alice):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    post = make_post(alice, n=2, alt="a tree")
    html = client.get(f"{CHANGELIST}{post.pk}/change/").content.decode()
    assert html.count('alt="a tree"') >= 2
    assert 'name="like_count"' not in html and 'name="comment_count"' not in html
