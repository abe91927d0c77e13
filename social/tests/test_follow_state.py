"""FollowState (accounts/follow_state.py): how the viewer stands towards a person, including SELF on
their own profile and in people lists (no follow button for yourself)."""

import pytest
from django.urls import reverse

from accounts.follow_state import FollowState
from accounts.services import graph
from social.tests.factories import follow, make_private

pytestmark = pytest.mark.django_db


def test_it_shows_your_own_profile_as_self_without_a_follow_button(alice_client, alice):
    r = alice_client.get("/alice/")
    assert r.status_code == 200
    assert r.context["follow_state"] == FollowState.SELF == "self"
    assert reverse("social:follow", kwargs={"username": "alice"}) not in r.content.decode()


def test_it_marks_you_as_self_in_a_people_list(alice_client, alice, bob):
    follow(alice, bob)
    r = alice_client.get("/bob/followers/")
    [me] = [p for p in r.context["page"].items if p.pk == alice.pk]
    assert me.follow_state == FollowState.SELF


def test_it_shows_someone_elses_profile_with_the_follow_state(alice_client, bob):
    r = alice_client.get("/bob/")
    assert r.context["follow_state"] == FollowState.NONE
    assert reverse("social:follow", kwargs={"username": "bob"}) in r.content.decode()


def test_it_shows_following_on_the_profile_of_someone_you_follow(alice_client, alice, bob):
    follow(alice, bob)
    r = alice_client.get("/bob/")
    assert r.context["follow_state"] == FollowState.FOLLOWING
    assert reverse("social:unfollow", kwargs={"username": "bob"}) in r.content.decode()


def test_it_shows_requested_on_a_private_profile_you_asked_to_follow(alice_client, alice, bob):
    make_private(bob)
    graph.follow_create(follower=alice, followee=bob)
    r = alice_client.get("/bob/")
    assert r.context["follow_state"] == FollowState.REQUESTED
    assert r.context["can_see_content"] is False


def test_it_counts_the_follow_requests_waiting_on_your_own_profile(alice_client, alice, bob, charlie):
    make_private(alice)
    graph.follow_create(follower=bob, followee=alice)
    graph.follow_create(follower=charlie, followee=alice)
    r = alice_client.get("/Alice/")  # any letter case names the same account
    assert r.context["follow_state"] == FollowState.SELF and r.context["pending_requests"] == 2
    assert 'Requests <span class="badge">2</span>' in r.content.decode()
    assert alice_client.get("/bob/").context["pending_requests"] == 0  # only on your own profile


def test_it_shows_no_follow_state_to_an_anonymous_visitor(client, bob):
    r = client.get("/bob/")
    assert r.context["follow_state"] == FollowState.NONE and r.context["pending_requests"] == 0


@pytest.mark.parametrize("own", [False, True])
def test_profile_page_reads_the_relation_with_the_owner(
    alice_client, alice, bob, own, django_assert_num_queries
):
    make_private(alice)
    graph.follow_create(follower=bob, followee=alice)  # a waiting request: alice sees the badge
    path = "/alice/" if own else "/bob/"
    alice_client.get(path)  # warm the default avatar and the nav's unread badge
    # 1 session, 2 user, 3 owner with the content check and the relation as columns (someone
    # else's profile: follows / requested; one's own: the waiting requests), 4 grid page (no posts:
    # no media prefetch)
    with django_assert_num_queries(4):
        assert alice_client.get(path).status_code == 200
