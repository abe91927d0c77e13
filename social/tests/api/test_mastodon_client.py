"""The issue's proof: an unmodified Mastodon client library (Mastodon.py, PyPI `Mastodon.py`) does
everything a client app does, over real HTTP against the live server: register an app, sign in by
the authorization-code flow with the out-of-band redirect, register an account and get a token,
post a photo with alt text, follow, page the home timeline by its Link headers, favourite,
bookmark, read notifications, be refused a private account's posts, revoke the token and be
refused after."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

import pytest
from django.test import Client
from mastodon import Mastodon, MastodonAPIError, MastodonNotFoundError, MastodonUnauthorizedError

from accounts.models import User
from instaclone.testing import image_bytes
from posts.models import Post, PostMedia
from posts.tests.factories import PostFactory

pytestmark = pytest.mark.django_db(transaction=True)
OOB = "urn:ietf:wg:oauth:2.0:oob"
SCOPES = ["read", "write", "follow"]


def _hidden_inputs(page: str) -> dict[str, str]:
    fields = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name="([^"]*)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and 'type="hidden"' in tag:
            fields[name.group(1)] = html.unescape(value.group(1)) if value else ""
    return fields


def _authorize_oob(url: str, user: User) -> str:
    """A signed-in person opens the consent page, presses Authorize and reads the code off the
    page (the out-of-band flow: no redirect)."""
    browser = Client()
    browser.force_login(user)
    parts = urlsplit(url)
    consent = browser.get(f"{parts.path}?{parts.query}")
    assert consent.status_code == 200
    fields = _hidden_inputs(consent.content.decode())
    done = browser.post(f"{parts.path}?{parts.query}", {**fields, "allow": "Authorize"})
    assert done.status_code == 200, done.status_code
    code = done.context["code"]
    assert code in done.content.decode(), "the out-of-band page shows the code to copy"
    return code


def test_a_mastodon_client_does_everything_a_client_app_does(live_server, alice, bob, charlie, tmp_path):
    base = live_server.url
    # Register an app (POST /api/v1/apps).
    client_id, client_secret = Mastodon.create_app("Proof client", scopes=SCOPES, redirect_uris=OOB, api_base_url=base)

    # Sign in as alice by the authorization-code flow with the out-of-band redirect.
    api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=base)
    code = _authorize_oob(api.auth_request_url(redirect_uris=OOB, scopes=SCOPES, allow_http=True), alice)
    api.log_in(code=code, redirect_uri=OOB, scopes=SCOPES, allow_http=True)
    me = api.account_verify_credentials()
    assert me["username"] == "alice"

    # Register a new account with the app's token: the answer is an access token.
    newcomer = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=base)
    newcomer.create_account("dora", "a-long-pass-phrase-12", "dora@example.com", agreement=True, scopes=SCOPES)
    assert newcomer.account_verify_credentials()["username"] == "dora"
    assert User.objects.filter(username="dora").exists() , "dora exists"
    with pytest.raises(MastodonAPIError) as unconfirmed:  # until she confirms her email
        newcomer.status_post("too early")
    assert unconfirmed.value.args[1] == 403

    # Post a photo with alt text.
    photo = tmp_path / "sunset.jpg"
    photo.write_bytes(image_bytes(size=(320, 240)))
    media = api.media_post(str(photo), mime_type="image/jpeg", description="A red square at sunset")
    posted = api.status_post("First light #sunrise", media_ids=[media])
    stored = Post.objects.get(pk=posted["id"])
    assert stored.author == alice and stored.caption == "First light #sunrise"
    assert PostMedia.objects.get(post=stored).alt_text == "A red square at sunset"
    assert posted["media_attachments"][0]["description"] == "A red square at sunset"

    # bob follows alice; page bob's home timeline by its Link headers.
    bob_api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=base)
    bob_code = _authorize_oob(bob_api.auth_request_url(redirect_uris=OOB, scopes=SCOPES, allow_http=True), bob)
    bob_api.log_in(code=bob_code, redirect_uri=OOB, scopes=SCOPES, allow_http=True)
    assert bob_api.account_follow(me["id"])["following"] is True
    for i in range(4):
        PostFactory(author=alice, caption=f"older {i}")
    seen, page = [], bob_api.timeline_home(limit=2)
    while page:
        seen += [s["id"] for s in page]
        page = bob_api.fetch_next(page)
    alice_posts = [str(pk) for pk in Post.objects.filter(author=alice).order_by("-created", "-id").values_list("pk", flat=True)]
    assert seen == alice_posts and len(seen) == 5

    # Favourite and bookmark; alice reads the notification.
    assert bob_api.status_favourite(posted["id"])["favourited"] is True
    assert bob_api.status_bookmark(posted["id"])["bookmarked"] is True
    assert [s["id"] for s in bob_api.bookmarks()] == [posted["id"]]
    kinds = {(n["type"], n["account"]["username"]) for n in api.notifications()}
    assert {("favourite", "bob"), ("follow", "bob")} <= kinds

    # charlie's account is private: bob, who does not follow him, is refused his posts.
    charlie.is_private = True
    charlie.save(update_fields=["is_private"])
    secret = PostFactory(author=charlie, caption="for followers only")
    with pytest.raises(MastodonNotFoundError):
        bob_api.status(secret.pk)
    assert bob_api.account_statuses(charlie.pk) == []

    # Revoke the token: refused at once.
    bob_api.revoke_access_token(allow_http=True)
    with pytest.raises((MastodonUnauthorizedError, MastodonAPIError)):
        bob_api.timeline_home()
