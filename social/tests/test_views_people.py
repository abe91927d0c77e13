import pytest
from django.urls import reverse

from accounts.services import graph
from accounts.tests.factories import BlockFactory
from instaclone.testing import make_user
from social.selectors import PEOPLE_PAGE_SIZE

from .factories import make_private

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def test_it_lists_followers_newest_first_with_follow_buttons(alice_client, alice, bob, charlie):
    graph.follow_create(follower=bob, followee=alice)
    graph.follow_create(follower=charlie, followee=alice)
    graph.follow_create(follower=alice, followee=charlie)
    r = alice_client.get(reverse("followers", args=["alice"]))
    assert r.status_code == 200
    assert [u.username for u in r.context["page"].items] == ["charlie", "bob"]
    states = {u.username: u.follow_state for u in r.context["page"].items}
    assert states == {"charlie": "following", "bob": "none"}
    assert reverse("social:follower_remove", args=["bob"]).encode() in r.content  # own list


def test_it_lists_following(client, alice, bob):
    graph.follow_create(follower=alice, followee=bob)
    r = client.get(reverse("following", args=["alice"]))
    assert r.status_code == 200 and [u.username for u in r.context["page"].items] == ["bob"]
    assert reverse("social:follower_remove", args=["bob"]).encode() not in r.content


def test_it_hides_blocked_people_from_lists(client, alice, bob, charlie):
    graph.follow_create(follower=bob, followee=alice)
    graph.follow_create(follower=charlie, followee=alice)
    BlockFactory(blocker=charlie, blocked=bob)
    client.force_login(charlie)
    r = client.get(reverse("followers", args=["alice"]))
    assert [u.username for u in r.context["page"].items] == ["charlie"]


def test_it_404s_a_private_accounts_lists_for_non_followers(client, alice, bob):
    make_private(alice)
    assert client.get(reverse("followers", args=["alice"])).status_code == 404
    client.force_login(bob)
    assert client.get(reverse("following", args=["alice"])).status_code == 404
    graph.follow_create(follower=bob, followee=alice)
    graph.follow_request_accept(target=alice, requester=bob)
    assert client.get(reverse("following", args=["alice"])).status_code == 200


def test_it_paginates_with_htmx_infinite_scroll(alice_client, alice):
    people = [make_user(f"user{i}") for i in range(PEOPLE_PAGE_SIZE + 2)]
    for p in people:
        graph.follow_create(follower=p, followee=alice)
    r = alice_client.get(reverse("followers", args=["alice"]))
    page = r.context["page"]
    assert len(page.items) == PEOPLE_PAGE_SIZE and page.next_cursor
    assert b'hx-trigger="revealed"' in r.content
    r = alice_client.get(reverse("followers", args=["alice"]) + f"?cursor={page.next_cursor}", **HX)
    assert b"<html" not in r.content
    assert [u.username for u in r.context["page"].items] == ["user1", "user0"]


@pytest.mark.parametrize("n", [1, 20])
@pytest.mark.parametrize("people_list", ["followers", "following"])
def test_people_list_query_count_is_constant(client, alice, django_assert_num_queries, n, people_list):
    viewer = make_user("viewer")
    client.force_login(viewer)
    for i in range(n):
        p = make_user(f"p{i}")
        graph.follow_create(follower=p, followee=alice)
        graph.follow_create(follower=alice, followee=p)
        if i % 2:
            graph.follow_create(follower=viewer, followee=p)
    client.get(reverse(people_list, args=["alice"]))
    # 1 session, 2 user, 3 owner through User.objects.visible_to with the content check as a column
    # (user_get_for_viewer: it used to be three queries, owner + block check + content check),
    # 4 follows page with people joined (LIMIT size + 1), 5 follow states
    with django_assert_num_queries(5):
        r = client.get(reverse(people_list, args=["alice"]))
    assert len(r.context["page"].items) == n


@pytest.mark.parametrize("n", [1, 20])
def test_requests_page_query_count_is_constant(client, alice, django_assert_num_queries, n):
    make_private(alice)
    for i in range(n):
        graph.follow_create(follower=make_user(f"r{i}"), followee=alice)
    client.force_login(alice)
    client.get(reverse("social:follow_requests"))
    # 1 session, 2 user, 3 requests page with requesters joined (LIMIT size + 1), 4 the waiting
    # requests' count in the heading
    with django_assert_num_queries(4):
        r = client.get(reverse("social:follow_requests"))
    assert len(r.context["page"].items) == min(n, PEOPLE_PAGE_SIZE)


@pytest.mark.parametrize("n", [1, 20])
def test_blocked_list_query_count_is_constant(client, alice, django_assert_num_queries, n):
    for i in range(n):
        graph.block_create(blocker=alice, blocked=make_user(f"b{i}"))
    client.force_login(alice)
    client.get(reverse("social:blocked"))
    # 1 session, 2 user, 3 blocked page with blocked people joined (LIMIT size + 1)
    with django_assert_num_queries(3):
        r = client.get(reverse("social:blocked"))
    assert len(r.context["page"].items) == min(n, PEOPLE_PAGE_SIZE)
    assert b"Unblock" in r.content


def test_blocked_list_paginates_with_a_cursor(client, alice):
    for i in range(PEOPLE_PAGE_SIZE + 1):
        graph.block_create(blocker=alice, blocked=make_user(f"b{i}"))
    client.force_login(alice)
    page = client.get(reverse("social:blocked")).context["page"]
    assert page.next_cursor
    r = client.get(reverse("social:blocked") + f"?cursor={page.next_cursor}")
    assert [row.blocked.username for row in r.context["page"].items] == ["b0"]


def test_blocked_list_more_link_is_the_component_and_htmx_gets_the_next_rows_only(client, alice):
    """The shared "More" component (revealed → hx-get, swapped in place of its <li>); its htmx request
    gets the next rows, not the whole page."""
    for i in range(PEOPLE_PAGE_SIZE + 1):
        graph.block_create(blocker=alice, blocked=make_user(f"b{i}"))
    client.force_login(alice)
    first = client.get(reverse("social:blocked"))
    cursor = first.context["page"].next_cursor
    assert f'hx-get="?cursor={cursor}"' in first.content.decode()
    part = client.get(reverse("social:blocked") + f"?cursor={cursor}", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in part and 'id="blocked-' in part and "Unblock" in part


def test_htmx_follow_button_keeps_the_page_as_its_no_js_return(alice_client, bob):
    r = alice_client.post(
        reverse("social:follow", args=["bob"]), HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver/search/?q=bo"
    )
    assert b'name="next" value="/search/?q=bo"' in r.content
