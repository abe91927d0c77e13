"""Hashtag pages: a malformed tag is a 404 before it reaches the database (issue 9 item 6), and a tag
is a page only for someone who may see at least one post with it (issue 9 item 7)."""

import pytest
from django.db import connection

from accounts.tests.factories import BlockFactory, FollowFactory

from .factories import PostFactory


@pytest.fixture
def private_bob(bob):
    bob.is_private = True
    bob.save(update_fields=["is_private"])
    return bob


@pytest.mark.parametrize(
    "path",
    [
        "/explore/tags/a%00b/",  # NUL: PostgreSQL refuses it in a string literal (was a 500)
        "/explore/tags/a%20b/",  # a space can never be part of a tag
        "/explore/tags/%3Cscript%3E/",
        "/explore/tags/a'b/",
        "/explore/tags/%E2%80%AEtag/",  # right-to-left override
        "/explore/tags/12345/",  # pure numbers are not hashtags
        "/explore/tags/" + "a" * 101 + "/",  # longer than any stored tag
        "/explore/tags/%ff/",  # not UTF-8
    ],
)
def test_malformed_tag_is_404_without_a_query(client, db, path, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(path)
    assert response.status_code == 404


def test_tag_in_another_script_still_resolves(client, alice):
    post = PostFactory(author=alice, caption="#東京 and #Café")
    assert f'href="/p/{post.pk}/"' in client.get("/explore/tags/東京/").content.decode()
    assert client.get("/explore/tags/CAFÉ/").status_code == 200


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="NUL in a string literal only fails on PostgreSQL")
def test_nul_in_tag_is_404_on_postgresql(client, alice):
    PostFactory(author=alice, caption="#ab")
    client.raise_request_exception = False
    assert client.get("/explore/tags/a%00b/").status_code == 404
    client.force_login(alice)
    assert client.get("/explore/tags/a%00b/").status_code == 404


def test_tag_only_on_private_posts_is_404_for_strangers(client, private_bob, charlie):
    PostFactory(author=private_bob, caption="#secretparty")
    assert client.get("/explore/tags/secretparty/").status_code == 404
    client.force_login(charlie)
    assert client.get("/explore/tags/secretparty/").status_code == 404
    assert client.get("/explore/tags/secretparty/", HTTP_HX_REQUEST="true").status_code == 404


def test_tag_only_on_private_posts_is_a_page_for_followers_and_the_author(client, private_bob, charlie):
    post = PostFactory(author=private_bob, caption="#secretparty")
    FollowFactory(follower=charlie, followee=private_bob)
    client.force_login(charlie)
    response = client.get("/explore/tags/secretparty/")
    assert response.status_code == 200 and f'href="/p/{post.pk}/"' in response.content.decode()
    client.force_login(private_bob)
    assert client.get("/explore/tags/secretparty/").status_code == 200


def test_tag_only_on_posts_of_someone_who_blocked_you_is_404(client, alice, charlie):
    PostFactory(author=alice, caption="#mine")
    BlockFactory(blocker=alice, blocked=charlie)
    client.force_login(charlie)
    assert client.get("/explore/tags/mine/").status_code == 404


def test_tag_only_on_hidden_posts_is_404(client, alice, bob):
    post = PostFactory(author=alice, caption="#removed")
    post.is_hidden = True
    post.save(update_fields=["is_hidden"])
    client.force_login(bob)
    assert client.get("/explore/tags/removed/").status_code == 404


def test_later_page_of_a_tag_nobody_may_see_is_404(client, private_bob):
    """A cursor must not turn an invisible tag into an empty (200) page either."""
    from instaclone.pagination import encode_cursor

    post = PostFactory(author=private_bob, caption="#secretparty")
    cursor = encode_cursor(post.created, post.pk + 1)
    assert client.get(f"/explore/tags/secretparty/?cursor={cursor}", HTTP_HX_REQUEST="true").status_code == 404
