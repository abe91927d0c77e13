"""The profile page: its bio links #tags and the @mentions of people who exist, and it carries
link-preview tags (Open Graph) only for an account anyone may see."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _meta(html: str, attr: str, name: str) -> str | None:
    found = re.search(rf'<meta {attr}="{re.escape(name)}" content="([^"]*)"', html)
    return found.group(1) if found else None


def _profile(client, username: str) -> str:
    response = client.get(f"/{username}/")
    assert response.status_code == 200
    return response.content.decode()


def test_bio_links_tags_and_known_mentions_and_leaves_unknown_names_plain(client, alice, bob):
    User.objects.filter(pk=alice.pk).update(bio="Sailing #Boats with @Bob and @no_such_person\nline two")
    html = _profile(client, "alice")
    bio = html.split('class="profile__bio">')[1].split("</p>")[0]
    assert '<a class="caption__tag" href="/explore/tags/boats/">#Boats</a>' in bio
    assert '<a class="caption__mention" href="/bob/">@Bob</a>' in bio
    assert "@no_such_person" in bio and "/no_such_person/" not in bio
    assert "<br>line two" in bio


def test_bio_is_escaped(client, alice):
    User.objects.filter(pk=alice.pk).update(bio='<script>x()</script> "hi"')
    assert "<script>x()" not in _profile(client, "alice")


def test_bio_mentions_cost_one_query_and_none_without_mentions(client, alice, bob):
    User.objects.filter(pk=alice.pk).update(bio="plain words")
    _profile(client, "alice")  # compiled once
    with CaptureQueriesContext(connection) as plain:
        _profile(client, "alice")
    User.objects.filter(pk=alice.pk).update(bio="hi @bob")
    with CaptureQueriesContext(connection) as mentioned:
        _profile(client, "alice")
    assert len(mentioned) == len(plain) + 1


def test_public_profile_carries_preview_tags(client, alice):
    User.objects.filter(pk=alice.pk).update(bio="Photos of boats")
    html = _profile(client, "alice")
    assert _meta(html, "property", "og:title") == "alice on Instaclone"
    assert _meta(html, "property", "og:description") == "Photos of boats"
    assert _meta(html, "name", "description") == "Photos of boats"
    assert _meta(html, "property", "og:url") == "http://testserver/alice/"
    assert _meta(html, "property", "og:type") == "profile"
    assert _meta(html, "property", "og:image").startswith("http://testserver/")


def test_public_profile_preview_is_the_same_for_a_signed_in_viewer(client, alice, bob):
    client.force_login(bob)
    assert _meta(_profile(client, "alice"), "property", "og:title") == "alice on Instaclone"


@pytest.mark.parametrize("viewer", [None, "follower", "self"])
def test_private_profile_has_no_preview_tags_nor_description(client, viewer):
    from accounts.services import graph

    owner = UserFactory(username="dora", is_private=True, bio="my private bio")
    if viewer == "self":
        client.force_login(owner)
    elif viewer == "follower":
        fan = UserFactory(username="fan")
        graph.follow_create(follower=fan, followee=owner)
        graph.follow_request_accept(target=owner, requester=fan)
        client.force_login(fan)
    html = _profile(client, "dora")
    head = html.split("</head>")[0]
    assert "og:" not in head and "twitter:" not in head and 'name="description"' not in head
    assert "my private bio" not in head
