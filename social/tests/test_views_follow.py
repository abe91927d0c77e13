import json

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Block, Follow, FollowRequest
from accounts.services import graph
from accounts.tests.factories import BlockFactory

from .factories import fresh, make_private

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def url(name, username):
    return reverse(f"social:{name}", kwargs={"username": username})


def test_it_follows_with_a_plain_post_and_redirects_back(alice_client, bob):
    r = alice_client.post(url("follow", "bob"), {"next": "/bob/followers/"})
    assert r.status_code == 302 and r["Location"] == "/bob/followers/"
    assert Follow.objects.filter(follower__username="alice", followee=bob).exists()


def test_it_ignores_an_offsite_next(alice_client, bob):
    r = alice_client.post(url("follow", "bob"), {"next": "https://evil.example/"})
    assert r.status_code == 302 and r["Location"] == "/bob/"


def test_it_swaps_the_button_for_htmx(alice_client, bob):
    r = alice_client.post(url("follow", "bob"), **HX)
    assert r.status_code == 200
    body = r.content.decode()
    assert 'data-state="following"' in body and reverse("social:unfollow", args=["bob"]) in body
    r = alice_client.post(url("unfollow", "bob"), **HX)
    assert 'data-state="none"' in r.content.decode()
    assert fresh(bob).follower_count == 0


def test_it_shows_requested_for_a_private_account(alice_client, bob):
    make_private(bob)
    r = alice_client.post(url("follow", "bob"), **HX)
    assert 'data-state="requested"' in r.content.decode()
    assert FollowRequest.objects.filter(target=bob).exists()
    r = alice_client.post(url("unfollow", "bob"), **HX)  # cancel
    assert not FollowRequest.objects.exists()


def test_it_refuses_to_follow_yourself_with_400(alice_client):
    r = alice_client.post(url("follow", "alice"))
    assert r.status_code == 400
    assert b"yourself" in r.content


@pytest.mark.parametrize("blocker", ["alice", "bob"])
def test_it_404s_following_across_a_block(alice_client, alice, bob, blocker):
    a, b = (alice, bob) if blocker == "alice" else (bob, alice)
    BlockFactory(blocker=a, blocked=b)
    assert alice_client.post(url("follow", "bob")).status_code == 404
    assert not Follow.objects.exists()


def test_it_404s_an_unknown_user(alice_client):
    assert alice_client.post(url("follow", "nobody")).status_code == 404


@pytest.mark.parametrize(
    "name", ["follow", "unfollow", "block", "unblock", "follower_remove", "request_accept", "request_decline"]
)
def test_it_answers_get_with_405(alice_client, bob, name):
    assert alice_client.get(url(name, "bob")).status_code == 405


@pytest.mark.parametrize("name", ["follow", "unfollow", "block", "request_accept"])
def test_it_sends_anonymous_htmx_to_login_with_hx_redirect(client, bob, name):
    r = client.post(url(name, "bob"), HTTP_HX_CURRENT_URL="http://testserver/bob/", **HX)
    assert r.status_code == 200
    assert r["HX-Redirect"].startswith(reverse("account_login"))
    assert "next=/bob/" in r["HX-Redirect"]
    assert not Follow.objects.exists()


def test_it_redirects_anonymous_plain_post_to_login(client, bob):
    r = client.post(url("follow", "bob"))
    assert r.status_code == 302 and r["Location"].startswith(reverse("account_login"))


def test_it_rejects_a_forged_csrf_post_with_403(alice, bob):
    c = Client(enforce_csrf_checks=True)
    c.force_login(alice)
    assert c.post(url("follow", "bob")).status_code == 403
    assert not Follow.objects.exists()


def test_it_blocks_and_stays_on_the_profile_in_the_blocked_state(alice_client, alice, bob):
    graph.follow_create(follower=bob, followee=alice)
    r = alice_client.post(url("block", "bob"))
    assert r.status_code == 302 and r["Location"] == "/bob/"
    assert Block.objects.filter(blocker=alice, blocked=bob).exists()
    assert not Follow.objects.exists()
    # the blocker sees the blocked state (no posts, Unblock); the blocked list offers unblock too
    r = alice_client.get("/bob/")
    assert r.status_code == 200 and b"You blocked @bob" in r.content and b"Unblock" in r.content
    assert b'id="post-grid"' not in r.content
    r = alice_client.get(reverse("social:blocked"))
    assert b"bob" in r.content
    r = alice_client.post(url("unblock", "bob"))
    assert r.status_code == 302 and not Block.objects.exists()


def test_it_refuses_to_block_yourself(alice_client):
    assert alice_client.post(url("block", "alice")).status_code == 400


def test_it_removes_a_follower(alice_client, alice, bob):
    graph.follow_create(follower=bob, followee=alice)
    r = alice_client.post(url("follower_remove", "bob"), **HX)
    # the row is swapped for nothing; the followers' count comes out of band
    assert r.status_code == 200 and r.content == b'<span class="people-page__count" id="followers-count" hx-swap-oob="true">0</span>'
    assert not Follow.objects.exists() and fresh(alice).follower_count == 0


def test_it_accepts_a_request_inline_with_htmx(alice_client, alice, bob):
    make_private(alice)
    graph.follow_create(follower=bob, followee=alice)
    r = alice_client.post(url("request_accept", "bob"), **HX)
    assert r.status_code == 200 and b"now follows you" in r.content
    assert Follow.objects.filter(follower=bob, followee=alice).exists()


def test_it_declines_a_request_with_a_plain_post(alice_client, alice, bob):
    make_private(alice)
    graph.follow_create(follower=bob, followee=alice)
    r = alice_client.post(url("request_decline", "bob"), {"next": "/notifications/"})
    assert r.status_code == 302 and r["Location"] == "/notifications/"
    assert not FollowRequest.objects.exists() and not Follow.objects.exists()


def test_requests_page_lists_pending_requests(alice_client, alice, bob, charlie):
    make_private(alice)
    graph.follow_create(follower=bob, followee=alice)
    r = alice_client.get(reverse("social:follow_requests"))
    assert r.status_code == 200
    assert b"bob" in r.content and b"charlie" not in r.content
    assert reverse("social:request_accept", args=["bob"]).encode() in r.content


def test_profile_shows_the_follow_button_state(alice_client, alice, bob):
    r = alice_client.get("/bob/")
    assert b'data-state="none"' in r.content
    graph.follow_create(follower=alice, followee=bob)
    r = alice_client.get("/bob/")
    assert b'data-state="following"' in r.content
    assert reverse("followers", args=["bob"]).encode() in r.content


def test_private_profile_shows_header_only_until_accepted(alice_client, alice, bob):
    make_private(bob)
    graph.follow_create(follower=alice, followee=bob)
    r = alice_client.get("/bob/")
    assert r.status_code == 200
    assert b'data-state="requested"' in r.content
    assert b"This account is private" in r.content
    assert alice_client.get(reverse("followers", args=["bob"])).status_code == 404


def test_anonymous_profile_offers_follow_through_login(client, bob):
    r = client.get("/bob/")
    assert f'{reverse("account_login")}?next=/bob/'.encode() in r.content


def test_settings_link_to_blocked_accounts(alice_client):
    assert reverse("social:blocked").encode() in alice_client.get("/settings/").content


@pytest.mark.parametrize("name", ["follow", "unfollow", "block"])
def test_a_refused_htmx_action_asks_for_a_toast_through_the_shared_error_response(alice_client, name):
    """The one client-side error channel: `HX-Trigger: {"showToast": <the service's message>}`."""
    r = alice_client.post(url(name, "alice"), **HX)
    assert r.status_code == 400
    assert "yourself" in r.content.decode()
    assert json.loads(r["HX-Trigger"]) == {"showToast": r.content.decode()}


def test_a_refused_plain_post_gets_a_page_in_the_site_layout(alice_client):
    """Without JavaScript the refusal is a page with the site's layout and a way back, not bare text."""
    r = alice_client.post(url("follow", "alice"), HTTP_REFERER="http://testserver/alice/")
    assert r.status_code == 400
    assert r["Content-Type"].startswith("text/html")
    body = r.content.decode()
    assert "You can&#x27;t follow yourself." in body or "You can't follow yourself." in body
    assert 'href="/alice/"' in body  # the way back
    assert "<nav" in body  # the site's layout


def test_an_htmx_current_url_that_htmx_uri_encoded_still_leads_back(client, bob):
    """htmx URI-encodes a non-ASCII HX-Current-URL (and says so in HX-Current-URL-URI-AutoEncoded);
    django-htmx's `request.htmx.current_url_abs_path` decodes it, so login sends the person back there."""
    from urllib.parse import quote, unquote

    r = client.post(
        url("follow", "bob"),
        HTTP_HX_CURRENT_URL=quote("http://testserver/explore/tags/café/", safe=""),
        HTTP_HX_CURRENT_URL_URI_AUTOENCODED="true",
        **HX,
    )
    assert unquote(r["HX-Redirect"]) == reverse("account_login") + "?next=/explore/tags/café/"
