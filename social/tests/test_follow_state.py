"""FollowState (accounts/follow_state.py): how the viewer stands towards a person, including SELF on
their own profile and in people lists (no follow button for yourself)."""

import pytest
from django.urls import reverse

from accounts.follow_state import FollowState
from social.tests.factories import follow

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
