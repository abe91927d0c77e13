"""Blocking keeps you on the person's profile, which shows the blocked state; only to the blocker."""

import pytest
from django.urls import reverse

from accounts.services import graph

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def test_htmx_block_sends_you_back_to_the_profile(client, alice, bob):
    client.force_login(alice)
    r = client.post(reverse("social:block", args=["bob"]), **HX)
    assert r.status_code == 200 and r["HX-Redirect"] == "/bob/"


def test_the_blocked_profile_is_still_a_404_for_the_blocked_person_and_others(client, alice, bob, charlie):
    graph.block_create(blocker=alice, blocked=bob)
    client.force_login(bob)
    assert client.get("/alice/").status_code == 404  # the blocked person cannot find the blocker
    client.force_login(charlie)
    assert client.get("/bob/").status_code == 200  # others see bob as usual
    assert b"You blocked" not in client.get("/bob/").content


def test_unblocking_from_the_blocked_profile_returns_to_it(client, alice, bob):
    graph.block_create(blocker=alice, blocked=bob)
    client.force_login(alice)
    r = client.post(reverse("social:unblock", args=["bob"]), {"next": "/bob/"})
    assert r.status_code == 302 and r["Location"] == "/bob/"
    r = client.get("/bob/")
    assert r.status_code == 200 and b"You blocked" not in r.content


def test_an_unknown_name_is_still_a_404(client, alice):
    client.force_login(alice)
    assert client.get("/nobody/").status_code == 404
