import pytest
from django.urls import reverse

from accounts.models import User
from accounts.services import graph
from accounts.tests.factories import BlockFactory
from instaclone.testing import make_user
from posts.models import Post
from posts.tests.factories import PostFactory

from .factories import make_private

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def test_explore_shows_public_posts_of_people_not_followed_ranked_by_likes(alice_client, alice, bob, charlie):
    dave = make_user("dave")
    low = PostFactory(author=bob, caption="low")
    high = PostFactory(author=dave, caption="high")
    Post.objects.filter(pk=high.pk).update(like_count=10)
    followed = PostFactory(author=charlie)
    graph.follow_create(follower=alice, followee=charlie)
    own = PostFactory(author=alice)
    r = alice_client.get(reverse("social:explore"))
    assert r.status_code == 200
    ids = [p.pk for p in r.context["page"].items]
    assert ids == [high.pk, low.pk]
    assert followed.pk not in ids and own.pk not in ids


def test_explore_leaves_out_private_blocked_and_hidden(alice_client, alice, bob, charlie):
    dave = make_user("dave")
    make_private(bob)
    PostFactory(author=bob)
    PostFactory(author=charlie)
    BlockFactory(blocker=charlie, blocked=alice)
    PostFactory(author=dave, hidden=True)
    assert alice_client.get(reverse("social:explore")).context["page"].items == []


@pytest.mark.parametrize("n", [1, 20])
def test_explore_query_count_is_constant(alice_client, bob, django_assert_num_queries, n):
    for i in range(n):
        PostFactory(author=bob, caption=f"{i}")
    alice_client.get(reverse("social:explore"))
    # 1 session, 2 user, 3 window ids (latest EXPLORE_WINDOW_POSTS), 4 ranked posts with
    # authors, 5 media prefetch (the unread badge was cached by the first request)
    with django_assert_num_queries(5):
        alice_client.get(reverse("social:explore"))


def test_search_finds_users_by_username_and_name_prefix_any_case(alice_client, bob, charlie):
    r = alice_client.get(reverse("social:search"), {"q": "BO"})
    assert [u.username for u in r.context["users"]] == ["bob"]
    r = alice_client.get(reverse("social:search"), {"q": "charlie b"})
    assert [u.username for u in r.context["users"]] == ["charlie"]
    r = alice_client.get(reverse("social:search"), {"q": "@ch"})
    assert [u.username for u in r.context["users"]] == ["charlie"]


def test_search_finds_hashtags(alice_client, alice):
    PostFactory(author=alice, caption="sunny #Beach day")
    r = alice_client.get(reverse("social:search"), {"q": "#bea"})
    assert [t.name for t in r.context["tags"]] == ["beach"]
    assert b"#beach" in r.content


def test_search_leaves_out_blocked_and_suspended(alice_client, alice, bob):
    make_user("bobby")
    make_user("bobo")
    BlockFactory(blocker=bob, blocked=alice)
    User.objects.filter(username="bobo").update(is_active=False)
    r = alice_client.get(reverse("social:search"), {"q": "bob"})
    assert [u.username for u in r.context["users"]] == ["bobby"]


def test_search_htmx_returns_the_results_partial(alice_client, bob):
    r = alice_client.get(reverse("social:search"), {"q": "bo"}, HTTP_HX_TARGET="search-results", **HX)
    body = r.content.decode()
    assert "<html" not in body and 'id="search-results"' in body and "bob" in body


def test_search_page_works_without_js_and_anonymous(client, bob):
    r = client.get(reverse("social:search"), {"q": "bo"})
    assert r.status_code == 200 and b"<html" in r.content and b"bob" in r.content
    assert b'hx-trigger="input changed delay:250ms' in r.content


def test_search_with_empty_or_huge_query_is_fine(alice_client):
    assert alice_client.get(reverse("social:search"), {"q": ""}).status_code == 200
    assert alice_client.get(reverse("social:search"), {"q": "x" * 5000}).status_code == 200


@pytest.mark.parametrize("n", [1, 15])
def test_search_query_count_is_constant(alice_client, django_assert_num_queries, n):
    for i in range(n):
        make_user(f"sam{i}")
    alice_client.get(reverse("social:search"), {"q": "sam"})
    # 1 session, 2 user, 3 matching users, 4 follow states of those users (one UNION query),
    # 5 matching hashtags that a visible post uses
    with django_assert_num_queries(5):
        alice_client.get(reverse("social:search"), {"q": "sam"})


def test_search_does_not_offer_a_hashtag_that_only_a_private_post_uses(alice_client, bob, charlie):
    from posts.tests.factories import PostFactory

    charlie.is_private = True
    charlie.save()
    PostFactory(author=charlie, caption="#secretparty tonight")
    PostFactory(author=bob, caption="#secretsanta")
    r = alice_client.get(reverse("social:search"), {"q": "#secret"})
    names = [t.name for t in r.context["tags"]]
    assert names == ["secretsanta"]


def test_hashtag_page_counts_only_public_posts(alice_client, bob, charlie):
    from posts.tests.factories import PostFactory

    charlie.is_private = True
    charlie.save()
    PostFactory(author=charlie, caption="#dogs")
    PostFactory(author=bob, caption="#dogs")
    r = alice_client.get("/explore/tags/dogs/")
    assert r.context["post_count"] == 1


@pytest.mark.parametrize("cursor", ["1.\u00b2.x", "\u00b2.1.x", "\u0661.1.x"])
def test_explore_with_a_cursor_of_other_digits_is_400_not_500(alice_client, cursor):
    """"²".isdigit() is true and int() refuses it; "١" int() reads as 1."""
    assert alice_client.get(reverse("social:explore"), {"cursor": cursor}).status_code == 400
