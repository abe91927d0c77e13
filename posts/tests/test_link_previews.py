"""Link previews and linked mentions on the post page: Open Graph / Twitter card tags and a meta
description only for a post anyone may see; mentions link only to people who exist."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from posts.models import Post
from posts.sharing import known_mentions

from .factories import CommentFactory, PostRowsFactory


def _meta(html: str, attr: str, name: str) -> str | None:
    found = re.search(rf'<meta {attr}="{re.escape(name)}" content="([^"]*)"', html)
    return found.group(1) if found else None


def _page(client, post) -> str:
    response = client.get(reverse("posts:detail", args=[post.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_public_post_page_carries_open_graph_and_twitter_tags(client, bob):
    post = PostRowsFactory(author=bob, caption="Sunset at the #beach")
    html = _page(client, post)
    assert _meta(html, "property", "og:title") == "bob on Instaclone"
    assert _meta(html, "property", "og:description") == "Sunset at the #beach"
    assert _meta(html, "name", "description") == "Sunset at the #beach"
    assert _meta(html, "property", "og:type") == "article"
    assert _meta(html, "property", "og:url") == f"http://testserver/p/{post.pk}/"
    assert _meta(html, "name", "twitter:card") == "summary_large_image"
    image = _meta(html, "property", "og:image")
    assert image.startswith("http://testserver/") and f"p{post.pk}-0" in image


@pytest.mark.django_db
def test_post_preview_is_the_same_for_a_signed_in_viewer(client, alice, bob):
    post = PostRowsFactory(author=bob, caption="hello")
    client.force_login(alice)
    assert _meta(_page(client, post), "property", "og:description") == "hello"


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["private", "hidden", "archived", "pending"])
def test_post_the_public_may_not_see_has_no_preview_tags_nor_description(client, bob, state):
    post = PostRowsFactory(author=bob, caption="secret caption")
    if state == "private":
        type(bob).objects.filter(pk=bob.pk).update(is_private=True)
    else:
        field = {"hidden": "is_hidden", "archived": "is_archived", "pending": "media_pending"}[state]
        archived_at = {"archived_at": timezone.now()} if state == "archived" else {}
        Post.objects.filter(pk=post.pk).update(**{field: True}, **archived_at)
    client.force_login(bob)  # the author (who may see it) views it: still no preview
    html = _page(client, post)
    assert "og:" not in html and "twitter:" not in html
    assert '<meta name="description"' not in html
    assert "secret caption" not in html.split("</head>")[0].split("<title>")[0]


@pytest.mark.django_db
def test_preview_and_caption_mentions_cost_no_query(client, alice, bob):
    from posts.services import post_update

    plain = PostRowsFactory(author=bob, caption="nothing to link")
    rich = PostRowsFactory(author=bob, caption="")
    post_update(post=rich, caption="hi @alice #sun", alt_texts=None)
    _page(client, plain), _page(client, rich)  # compiled once
    with CaptureQueriesContext(connection) as without:
        _page(client, plain)
    with CaptureQueriesContext(connection) as with_both:
        html = _page(client, rich)
    assert 'href="/alice/"' in html and "og:title" in html
    # the post's preview flag and mention names are columns of the post's own query
    assert len(with_both) == len(without)


@pytest.mark.django_db
def test_caption_links_stored_mentions_only(client, alice, bob):
    from posts.services import post_update

    post = PostRowsFactory(author=bob, caption="")
    post_update(post=post, caption="with @alice and @ghost_person", alt_texts=None)
    html = _page(client, post)
    assert '<a class="caption__mention" href="/alice/">@alice</a>' in html
    assert "@ghost_person" in html and 'href="/ghost_person/"' not in html


@pytest.mark.django_db
def test_a_mentioned_account_that_is_suspended_is_plain_text(client, alice, bob):
    from posts.services import post_update

    post = PostRowsFactory(author=bob, caption="")
    post_update(post=post, caption="hi @alice", alt_texts=None)
    type(alice).objects.filter(pk=alice.pk).update(is_active=False)
    assert 'href="/alice/"' not in _page(client, post)


@pytest.mark.django_db
def test_comment_mentions_link_only_people_who_exist(client, alice, bob):
    post = PostRowsFactory(author=bob)
    CommentFactory(author=alice, post=post, body="@bob look, and @nobody_at_all")
    html = _page(client, post)
    assert '<a class="caption__mention" href="/bob/">@bob</a>' in html
    assert "@nobody_at_all" in html and 'href="/nobody_at_all/"' not in html


@pytest.mark.django_db
def test_known_mentions_is_one_query_and_none_without_mentions(django_assert_num_queries):
    UserFactory(username="dora")
    with django_assert_num_queries(0):
        assert known_mentions("no names here", "", viewer=None) == frozenset()
    with django_assert_num_queries(1):
        assert known_mentions("hi @Dora", "and @nobody", viewer=None) == {"dora"}


@pytest.mark.django_db
@pytest.mark.parametrize("n", [1, 12])
def test_card_comments_resolve_their_mentions_in_one_query_for_any_page(alice, bob, n):
    from posts.selectors import latest_comments, post_queryset

    made = [PostRowsFactory(author=bob) for _ in range(n)]
    for post in made:
        CommentFactory(author=alice, post=post, body="@bob hi and @ghost_name")
    posts = list(post_queryset(alice).filter(pk__in=[p.pk for p in made]))
    with CaptureQueriesContext(connection) as queries:
        comments = latest_comments(posts, alice)
    assert len(queries) == 2  # the latest comments, the names they mention that exist
    for post in made:
        (comment,) = comments[post.pk]
        assert 'href="/bob/">@bob</a>' in comment.body_html and "/ghost_name/" not in comment.body_html


@pytest.mark.django_db
def test_mentions_of_someone_who_blocked_the_viewer_are_plain_text_for_them(client, alice, bob, charlie):
    from accounts.tests.factories import BlockFactory
    from posts.selectors import with_card_state
    from posts.services import post_update

    BlockFactory(blocker=bob, blocked=charlie)
    post = PostRowsFactory(author=alice, caption="")
    post_update(post=post, caption="with @bob", alt_texts=None)
    CommentFactory(author=alice, post=post, body="@bob look")
    link = '<a class="caption__mention" href="/bob/">@bob</a>'
    for viewer, links in ((charlie, 0), (alice, 2), (bob, 2)):
        client.force_login(viewer)
        html = _page(client, post)  # the caption and the comment
        assert html.count(link) == links, viewer.username
        assert ("with @bob" in html and "@bob look" in html) is (links == 0)  # as text
        card = with_card_state(Post.objects.filter(pk=post.pk), viewer).get()  # a feed card's read
        assert card.mention_names == (None if viewer == charlie else "bob")
