"""The client API's accounts endpoints (issue 14): oneself (verify/update credentials), finding
people (lookup, /:id, search), an account's statuses, followers and following, relationships, and
follow/unfollow/block/unblock/remove_from_followers; scopes and visibility for each."""

from __future__ import annotations

import re

import pytest

from accounts.models import Block, Follow, FollowRequest, User
from accounts.tests.factories import BlockFactory, FollowFactory, UserFactory, fresh, make_private
from instaclone.testing import api_token, image_upload
from posts.tests.factories import PostRowsFactory

pytestmark = pytest.mark.django_db


def auth(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def links(response) -> dict[str, str]:
    """rel -> path and query of the Link header's URLs."""
    return {rel: "/" + url.split("://", 1)[1].split("/", 1)[1]
            for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response.get("Link", ""))}


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [int(item["id"]) for item in response.json()]


@pytest.fixture
def token(alice):
    return api_token(alice)


@pytest.fixture
def suspended(db):
    return UserFactory(username="gone", is_active=False)


def account_url(user, action: str = "") -> str:
    return f"/api/v1/accounts/{user.pk}" + (f"/{action}" if action else "")


# --- verify_credentials / update_credentials --------------------------------------------------------


def test_verify_credentials_is_the_token_owner_with_source_and_waiting_requests(client, alice, bob, token):
    make_private(alice)
    FollowFactory(follower=bob, followee=alice, accept=False)
    alice.bio, alice.display_name = "Down the #rabbit hole", "Alice"
    alice.save(update_fields=["bio", "display_name"])
    data = client.get("/api/v1/accounts/verify_credentials", **auth(token)).json()
    assert data["id"] == str(alice.pk) and data["username"] == data["acct"] == "alice"
    assert data["locked"] is True and data["display_name"] == "Alice"
    assert data["source"]["note"] == "Down the #rabbit hole"
    assert data["source"]["privacy"] == "private"
    assert data["source"]["follow_requests_count"] == 1


def test_verify_credentials_needs_a_token_of_a_person(client):
    assert client.get("/api/v1/accounts/verify_credentials").status_code == 401
    app_token = api_token(None, "read")
    response = client.get("/api/v1/accounts/verify_credentials", **auth(app_token))
    assert response.status_code == 422
    assert response.json() == {"error": "This method requires an authenticated user"}


def test_update_credentials_changes_name_bio_and_privacy_through_the_profile_service(client, alice, token):
    response = client.patch(
        "/api/v1/accounts/update_credentials",
        "display_name=Alice+L&note=Curiouser+and+curiouser&locked=true",
        content_type="application/x-www-form-urlencoded",
        **auth(token),
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["display_name"] == "Alice L" and data["locked"] is True
    assert data["source"]["note"] == "Curiouser and curiouser"
    stored = fresh(alice)
    assert (stored.display_name, stored.bio, stored.is_private) == ("Alice L", "Curiouser and curiouser", True)


def test_update_credentials_keeps_fields_not_sent(client, alice, token):
    User.objects.filter(pk=alice.pk).update(bio="Kept", website="https://example.com/", is_private=True)
    response = client.patch(
        "/api/v1/accounts/update_credentials", {"display_name": "Only the name"},
        content_type="application/json", **auth(token),
    )
    assert response.status_code == 200, response.content
    stored = fresh(alice)
    assert (stored.display_name, stored.bio, stored.website, stored.is_private) == (
        "Only the name", "Kept", "https://example.com/", True,
    )


def test_going_public_accepts_the_waiting_requests_as_the_settings_page_does(client, alice, bob, token):
    make_private(alice)
    FollowFactory(follower=bob, followee=alice, accept=False)
    response = client.patch(
        "/api/v1/accounts/update_credentials", {"locked": False}, content_type="application/json", **auth(token)
    )
    assert response.status_code == 200
    assert Follow.objects.filter(follower=bob, followee=alice).exists()
    assert not FollowRequest.objects.exists()


def test_update_credentials_takes_an_avatar_through_the_avatar_pipeline(client, alice, token, media_root):
    from django.test.client import encode_multipart

    body = encode_multipart("BoUnDaRy", {"avatar": image_upload("me.png", "PNG", size=(300, 200))})
    response = client.generic(
        "PATCH", "/api/v1/accounts/update_credentials", body,
        content_type="multipart/form-data; boundary=BoUnDaRy", **auth(token),
    )
    assert response.status_code == 200, response.content
    stored = fresh(alice)
    assert stored.avatar.startswith("avatars/")
    assert stored.avatar in response.json()["avatar"]
    assert (media_root / stored.avatar).exists()


def test_a_refused_avatar_is_a_422_with_mastodons_details(client, alice, token):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test.client import encode_multipart

    junk = SimpleUploadedFile("me.png", b"not an image at all", content_type="image/png")
    body = encode_multipart("BoUnDaRy", {"avatar": junk})
    response = client.generic(
        "PATCH", "/api/v1/accounts/update_credentials", body,
        content_type="multipart/form-data; boundary=BoUnDaRy", **auth(token),
    )
    assert response.status_code == 422
    data = response.json()
    assert data["error"].startswith("Validation failed: ")
    assert list(data["details"]) == ["avatar"]
    assert fresh(alice).avatar == ""


def test_a_too_long_name_or_bio_is_a_422_with_details_per_field(client, alice, token):
    response = client.patch(
        "/api/v1/accounts/update_credentials", {"display_name": "x" * 65, "note": "y" * 151},
        content_type="application/json", **auth(token),
    )
    assert response.status_code == 422
    data = response.json()
    assert set(data["details"]) == {"display_name", "note"}
    assert data["details"]["note"][0]["error"] == "ERR_INVALID"
    assert "150" in data["details"]["note"][0]["description"]
    assert fresh(alice).display_name != "x" * 65


# --- lookup and /:id --------------------------------------------------------------------------------


def test_lookup_finds_a_person_by_name_in_any_case_and_with_this_host(client, bob, token):
    for acct in ("bob", "@BOB", "bob@testserver"):
        response = client.get("/api/v1/accounts/lookup", {"acct": acct}, **auth(token))
        assert response.status_code == 200, acct
        assert response.json()["id"] == str(bob.pk)
    assert client.get("/api/v1/accounts/lookup", {"acct": "bob@elsewhere.example"}, **auth(token)).status_code == 404
    assert client.get("/api/v1/accounts/lookup", {"acct": "nobody"}, **auth(token)).status_code == 404


def test_lookup_and_account_work_signed_out(client, bob):
    assert client.get("/api/v1/accounts/lookup", {"acct": "bob"}).json()["username"] == "bob"
    response = client.get(account_url(bob))
    assert response.status_code == 200 and response.json()["acct"] == "bob"


@pytest.mark.parametrize("who", ["blocked", "blocker", "suspended", "unknown", "not a number"])
def test_someone_the_viewer_may_not_see_is_a_404_for_lookup_account_and_statuses(client, alice, bob, suspended, token, who):
    target = bob
    if who == "blocked":
        BlockFactory(blocker=alice, blocked=bob)
    elif who == "blocker":
        BlockFactory(blocker=bob, blocked=alice)
    elif who == "suspended":
        target = suspended
    PostRowsFactory(author=target)
    url_id = {"unknown": "987654", "not a number": "bob"}.get(who, str(target.pk))
    for url in (f"/api/v1/accounts/{url_id}", f"/api/v1/accounts/{url_id}/statuses",
                f"/api/v1/accounts/{url_id}/followers", f"/api/v1/accounts/{url_id}/following"):
        response = client.get(url, **auth(token))
        assert response.status_code == 404, url
        assert response.json() == {"error": "Record not found"}
    if who not in ("unknown", "not a number"):
        response = client.get("/api/v1/accounts/lookup", {"acct": target.username}, **auth(token))
        assert response.status_code == 404


def test_a_private_account_is_found_but_its_content_is_not_listed(client, alice, bob, charlie, token):
    make_private(bob)
    PostRowsFactory(author=bob)
    FollowFactory(follower=charlie, followee=bob)
    FollowFactory(follower=bob, followee=charlie)
    response = client.get(account_url(bob), **auth(token))
    assert response.status_code == 200 and response.json()["locked"] is True
    for action in ("statuses", "followers", "following"):
        response = client.get(account_url(bob, action), **auth(token))
        assert response.status_code == 200 and response.json() == [], action
        assert "Link" not in response
    anonymous = client.get(account_url(bob, "statuses"))
    assert anonymous.status_code == 200 and anonymous.json() == []


def test_a_private_accounts_follower_and_the_account_itself_see_its_lists(client, alice, bob):
    make_private(bob)
    post = PostRowsFactory(author=bob)
    FollowFactory(follower=alice, followee=bob)
    for token in (api_token(alice), api_token(bob)):
        assert ids(client.get(account_url(bob, "statuses"), **auth(token))) == [post.pk]
        assert ids(client.get(account_url(bob, "followers"), **auth(token))) == [alice.pk]


# --- statuses -----------------------------------------------------------------------------------------


def test_statuses_are_the_profile_grid_newest_first_paged_by_link_headers(client, alice, bob, token):
    posts = [PostRowsFactory(author=bob, caption=f"post {i}") for i in range(5)]
    PostRowsFactory(author=alice)
    archived = PostRowsFactory(author=bob)
    from posts.services import post_archive

    post_archive(post=archived, by=bob)
    newest_first = [p.pk for p in reversed(posts)]
    first = client.get(account_url(bob, "statuses"), {"limit": 2}, **auth(token))
    assert ids(first) == newest_first[:2]
    assert first.json()[0]["account"]["id"] == str(bob.pk)
    second = client.get(links(first)["next"], **auth(token))
    assert ids(second) == newest_first[2:4]
    third = client.get(links(second)["next"], **auth(token))
    assert ids(third) == newest_first[4:]
    assert "next" not in links(third)
    # rel="prev" (min_id, same limit) gives the posts just newer than the page, newest first
    assert ids(client.get(links(third)["prev"], **auth(token))) == newest_first[2:4]


def test_the_first_pages_prev_link_brings_only_newer_statuses(client, bob, token):
    old = PostRowsFactory(author=bob)
    first = client.get(account_url(bob, "statuses"), **auth(token))
    assert ids(first) == [old.pk] and "next" not in links(first)
    assert ids(client.get(links(first)["prev"], **auth(token))) == []
    newer = PostRowsFactory(author=bob)
    assert ids(client.get(links(first)["prev"], **auth(token))) == [newer.pk]


def test_statuses_take_a_status_id_as_max_id_since_id_and_min_id(client, bob, token):
    posts = [PostRowsFactory(author=bob) for _ in range(5)]
    pks = [p.pk for p in posts]
    url = account_url(bob, "statuses")
    assert ids(client.get(url, {"max_id": pks[3]}, **auth(token))) == [pks[2], pks[1], pks[0]]
    assert ids(client.get(url, {"since_id": pks[1]}, **auth(token))) == [pks[4], pks[3], pks[2]]
    assert ids(client.get(url, {"min_id": pks[1], "limit": 2}, **auth(token))) == [pks[3], pks[2]]
    unknown = client.get(url, {"max_id": 999999}, **auth(token))  # no such status: an empty page
    assert unknown.status_code == 200 and unknown.json() == []
    assert client.get(url, {"max_id": "not-a-cursor"}, **auth(token)).status_code == 400


def test_pinned_statuses_are_none_and_media_and_reply_filters_change_nothing(client, bob, token):
    post = PostRowsFactory(author=bob)
    url = account_url(bob, "statuses")
    assert client.get(url, {"pinned": "true"}, **auth(token)).json() == []
    assert ids(client.get(url, {"only_media": "true", "exclude_replies": "true"}, **auth(token))) == [post.pk]


def test_statuses_with_a_token_need_read_statuses(client, alice, bob):
    PostRowsFactory(author=bob)
    assert client.get(account_url(bob, "statuses"), **auth(api_token(alice, "read:accounts"))).status_code == 403
    assert client.get(account_url(bob, "statuses"), **auth(api_token(alice, "read:statuses"))).status_code == 200


# --- followers and following -------------------------------------------------------------------------


def test_followers_and_following_newest_first_without_people_the_viewer_may_not_see(client, alice, bob, charlie, token):
    dora, eve = UserFactory(username="dora"), UserFactory(username="eve")
    for follower in (charlie, dora, eve):
        FollowFactory(follower=follower, followee=bob)
    FollowFactory(follower=bob, followee=dora)
    BlockFactory(blocker=eve, blocked=alice)  # eve blocked the viewer: left out
    User.objects.filter(pk=dora.pk).update(is_active=False)  # suspended: left out
    assert ids(client.get(account_url(bob, "followers"), **auth(token))) == [charlie.pk]
    assert ids(client.get(account_url(bob, "following"), **auth(token))) == []


def test_followers_are_paged_by_link_headers(client, bob, token):
    people = [UserFactory() for _ in range(5)]
    for person in people:
        FollowFactory(follower=person, followee=bob)
    newest_first = [p.pk for p in reversed(people)]
    first = client.get(account_url(bob, "followers"), {"limit": 3}, **auth(token))
    assert ids(first) == newest_first[:3]
    second = client.get(links(first)["next"], **auth(token))
    assert ids(second) == newest_first[3:]
    assert "next" not in links(second)


# --- relationships ------------------------------------------------------------------------------------


def test_relationships_in_the_order_asked_with_every_flag(client, alice, bob, charlie, token):
    dora, eve, fay = (UserFactory(username=n) for n in ("dora", "eve", "fay"))
    make_private(charlie)
    make_private(alice)
    FollowFactory(follower=alice, followee=bob)
    FollowFactory(follower=bob, followee=alice)
    FollowFactory(follower=alice, followee=charlie, accept=False)  # alice asked charlie
    FollowFactory(follower=dora, followee=alice, accept=False)  # dora asked alice
    BlockFactory(blocker=alice, blocked=eve)
    BlockFactory(blocker=fay, blocked=alice)  # fay blocked alice: alice is never told
    asked = [eve.pk, bob.pk, charlie.pk, dora.pk, fay.pk, 987654, alice.pk]
    response = client.get("/api/v1/accounts/relationships", {"id[]": asked}, **auth(token))
    assert response.status_code == 200
    got = {int(r["id"]): r for r in response.json()}
    assert [int(r["id"]) for r in response.json()] == [eve.pk, bob.pk, charlie.pk, dora.pk, alice.pk]

    def flags(pk):
        return {k for k in ("following", "followed_by", "requested", "requested_by", "blocking", "blocked_by") if got[pk][k]}

    assert flags(eve.pk) == {"blocking"}
    assert flags(bob.pk) == {"following", "followed_by"}
    assert flags(charlie.pk) == {"requested"}
    assert flags(dora.pk) == {"requested_by"}
    assert flags(alice.pk) == set()
    assert got[bob.pk]["muting"] is False and got[bob.pk]["note"] == ""


def test_relationships_ignore_ids_that_are_not_numbers_and_need_read_follows(client, alice, bob, token):
    response = client.get("/api/v1/accounts/relationships?id[]=abc&id[]=" + str(bob.pk) + "&id=-1", **auth(token))
    assert ids(response) == [bob.pk]
    assert client.get("/api/v1/accounts/relationships", {"id[]": bob.pk}, **auth(api_token(alice, "read:accounts"))).status_code == 403
    assert client.get("/api/v1/accounts/relationships", {"id": bob.pk}, **auth(api_token(alice, "follow"))).status_code == 200
    assert client.get("/api/v1/accounts/relationships", {"id[]": bob.pk}).status_code == 401


# --- follow, unfollow, block, unblock, remove_from_followers -----------------------------------------


def test_follow_a_public_account_is_following_and_a_private_one_requested(client, alice, bob, charlie, token):
    make_private(charlie)
    response = client.post(account_url(bob, "follow"), **auth(token))
    assert response.status_code == 200
    assert response.json()["following"] is True and response.json()["requested"] is False
    assert Follow.objects.filter(follower=alice, followee=bob).exists() and fresh(bob).follower_count == 1
    response = client.post(account_url(charlie, "follow"), **auth(token))
    assert response.json()["following"] is False and response.json()["requested"] is True
    assert FollowRequest.objects.filter(requester=alice, target=charlie).exists()
    # twice changes nothing
    assert client.post(account_url(bob, "follow"), **auth(token)).json()["following"] is True
    assert fresh(bob).follower_count == 1


def test_following_yourself_is_a_422(client, alice, token):
    response = client.post(account_url(alice, "follow"), **auth(token))
    assert response.status_code == 422
    assert response.json() == {"error": "You can't follow yourself."}


@pytest.mark.parametrize("who", ["blocked", "blocker", "suspended"])
def test_following_someone_the_viewer_may_not_see_is_a_404(client, alice, bob, suspended, token, who):
    target = suspended if who == "suspended" else bob
    if who == "blocked":
        BlockFactory(blocker=alice, blocked=bob)
    elif who == "blocker":
        BlockFactory(blocker=bob, blocked=alice)
    response = client.post(account_url(target, "follow"), **auth(token))
    assert response.status_code == 404
    assert not Follow.objects.exists() and not FollowRequest.objects.exists()


def test_unfollow_ends_a_follow_and_cancels_a_request(client, alice, bob, charlie, token):
    FollowFactory(follower=alice, followee=bob)
    make_private(charlie)
    FollowFactory(follower=alice, followee=charlie, accept=False)
    assert client.post(account_url(bob, "unfollow"), **auth(token)).json()["following"] is False
    assert client.post(account_url(charlie, "unfollow"), **auth(token)).json()["requested"] is False
    assert not Follow.objects.exists() and not FollowRequest.objects.exists()
    assert fresh(bob).follower_count == 0
    assert client.post(account_url(alice, "unfollow"), **auth(token)).status_code == 422


def test_block_ends_follows_both_ways_and_unblock_lifts_it(client, alice, bob, token):
    FollowFactory(follower=alice, followee=bob)
    FollowFactory(follower=bob, followee=alice)
    response = client.post(account_url(bob, "block"), **auth(token))
    assert response.status_code == 200
    data = response.json()
    assert data["blocking"] is True and data["following"] is False and data["followed_by"] is False
    assert not Follow.objects.exists() and Block.objects.filter(blocker=alice, blocked=bob).exists()
    assert client.get(account_url(bob), **auth(token)).status_code == 404
    response = client.post(account_url(bob, "unblock"), **auth(token))
    assert response.status_code == 200 and response.json()["blocking"] is False
    assert not Block.objects.exists()
    assert client.post(account_url(alice, "block"), **auth(token)).status_code == 422


def test_someone_who_blocked_you_can_be_blocked_back_and_is_not_told(client, alice, bob, token):
    BlockFactory(blocker=bob, blocked=alice)
    response = client.post(account_url(bob, "block"), **auth(token))
    assert response.status_code == 200
    assert response.json()["blocking"] is True and response.json()["blocked_by"] is False
    response = client.post(account_url(bob, "unblock"), **auth(token))
    assert response.status_code == 200 and response.json()["blocked_by"] is False


def test_remove_from_followers(client, alice, bob, token):
    FollowFactory(follower=bob, followee=alice)
    response = client.post(account_url(bob, "remove_from_followers"), **auth(token))
    assert response.status_code == 200 and response.json()["followed_by"] is False
    assert not Follow.objects.exists() and fresh(alice).follower_count == 0


def test_a_suspended_account_cannot_be_acted_on(client, suspended, token):
    for action in ("follow", "unfollow", "block", "unblock", "remove_from_followers"):
        assert client.post(account_url(suspended, action), **auth(token)).status_code == 404, action


def test_actions_are_posts(client, bob, token):
    response = client.get(account_url(bob, "follow"), **auth(token))
    assert response.status_code == 405 and response["Allow"] == "POST"


# --- search and blocks --------------------------------------------------------------------------------


def test_search_by_name_prefix_and_only_people_followed(client, alice, bob, token):
    bobby = UserFactory(username="bobby")
    BlockFactory(blocker=UserFactory(username="bobcat"), blocked=alice)
    FollowFactory(follower=alice, followee=bobby)
    response = client.get("/api/v1/accounts/search", {"q": "@Bob", "resolve": "true"}, **auth(token))
    assert sorted(ids(response)) == sorted([bob.pk, bobby.pk])
    response = client.get("/api/v1/accounts/search", {"q": "bob", "following": "true"}, **auth(token))
    assert ids(response) == [bobby.pk]
    assert ids(client.get("/api/v1/accounts/search", {"q": "bob", "limit": 1}, **auth(token))) != []
    assert len(ids(client.get("/api/v1/accounts/search", {"q": "bob", "limit": 1}, **auth(token)))) == 1
    assert client.get("/api/v1/accounts/search", {"q": ""}, **auth(token)).json() == []
    # never paged by offset: past the first page is the end, not the same people again
    assert client.get("/api/v1/accounts/search", {"q": "bob", "offset": 40}, **auth(token)).json() == []
    assert client.get("/api/v1/accounts/search", {"q": "bob"}, **auth(api_token(alice, "read:statuses"))).status_code == 403


def test_featured_tags_and_lists_are_empty_for_an_account_one_may_see(client, alice, bob, token):
    for action in ("featured_tags", "lists"):
        response = client.get(account_url(bob, action), **auth(token))
        assert response.status_code == 200 and response.json() == [], action
    BlockFactory(blocker=bob, blocked=alice)
    for action in ("featured_tags", "lists"):
        assert client.get(account_url(bob, action), **auth(token)).status_code == 404, action


def test_blocks_lists_the_people_blocked_newest_first(client, alice, bob, charlie, token):
    BlockFactory(blocker=alice, blocked=bob)
    BlockFactory(blocker=alice, blocked=charlie)
    BlockFactory(blocker=charlie, blocked=bob)
    first = client.get("/api/v1/blocks", {"limit": 1}, **auth(token))
    assert ids(first) == [charlie.pk]
    assert ids(client.get(links(first)["next"], **auth(token))) == [bob.pk]
    assert client.get("/api/v1/blocks", **auth(api_token(alice, "read:follows"))).status_code == 403
    assert client.get("/api/v1/blocks", **auth(api_token(alice, "follow"))).status_code == 200


# --- scopes -------------------------------------------------------------------------------------------


WRITES = [
    ("post", "follow", "write:follows"),
    ("post", "unfollow", "write:follows"),
    ("post", "remove_from_followers", "write:follows"),
    ("post", "block", "write:blocks"),
    ("post", "unblock", "write:blocks"),
]


@pytest.mark.parametrize(("method", "action", "scope"), WRITES)
def test_a_read_token_cannot_change_the_graph(client, alice, bob, method, action, scope):
    FollowFactory(follower=bob, followee=alice)
    read = api_token(alice, "read")
    response = getattr(client, method)(account_url(bob, action), **auth(read))
    assert response.status_code == 403
    assert response.json() == {"error": "This action is outside the authorized scopes"}
    assert Follow.objects.count() == 1 and not Block.objects.exists()
    # the sub-scope, `write` and the legacy `follow` scope all allow it
    for granted in (scope, "write", "follow"):
        assert getattr(client, method)(account_url(bob, action), **auth(api_token(alice, granted))).status_code == 200


def test_a_read_token_cannot_update_credentials(client, alice):
    response = client.patch(
        "/api/v1/accounts/update_credentials", {"note": "hacked"}, content_type="application/json",
        **auth(api_token(alice, "read")),
    )
    assert response.status_code == 403 and fresh(alice).bio == ""
    response = client.patch(
        "/api/v1/accounts/update_credentials", {"note": "mine"}, content_type="application/json",
        **auth(api_token(alice, "write:accounts")),
    )
    assert response.status_code == 200 and fresh(alice).bio == "mine"


def test_a_follow_scope_alone_cannot_read_accounts(client, alice, bob):
    response = client.get(account_url(bob), **auth(api_token(alice, "follow")))
    assert response.status_code == 403
    assert client.get(account_url(bob), **auth(api_token(alice, "read:accounts"))).status_code == 200


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/accounts/verify_credentials"),
        ("patch", "/api/v1/accounts/update_credentials"),
        ("get", "/api/v1/accounts/relationships?id[]=1"),
        ("get", "/api/v1/accounts/search?q=bob"),
        ("post", "/api/v1/accounts/{bob}/follow"),
        ("post", "/api/v1/accounts/{bob}/unfollow"),
        ("post", "/api/v1/accounts/{bob}/block"),
        ("post", "/api/v1/accounts/{bob}/unblock"),
        ("post", "/api/v1/accounts/{bob}/remove_from_followers"),
        ("get", "/api/v1/blocks"),
        ("get", "/api/v1/follow_requests"),
        ("post", "/api/v1/follow_requests/{bob}/authorize"),
        ("post", "/api/v1/follow_requests/{bob}/reject"),
    ],
)
def test_an_app_token_gets_422_and_no_token_401_on_endpoints_of_a_person(client, bob, method, url):
    url = url.format(bob=bob.pk)
    app_token = api_token(None, "read write follow")
    response = getattr(client, method)(url, **auth(app_token))
    assert response.status_code == 422, url
    assert response.json() == {"error": "This method requires an authenticated user"}
    assert getattr(client, method)(url).status_code == 401


def test_an_app_token_may_read_public_accounts_and_statuses(client, bob):
    post = PostRowsFactory(author=bob)
    app_token = api_token(None, "read")
    assert client.get(account_url(bob), **auth(app_token)).status_code == 200
    assert ids(client.get(account_url(bob, "statuses"), **auth(app_token))) == [post.pk]


def test_a_bad_token_is_a_401_even_where_signing_out_is_fine(client, bob):
    response = client.get(account_url(bob), HTTP_AUTHORIZATION="Bearer not-a-token")
    assert response.status_code == 401


# --- the visibility matrix, API column ---------------------------------------------------------------

MATRIX_VIEWERS = ["anonymous", "stranger", "follower", "requested", "blocked", "blocker", "author", "suspended"]


@pytest.mark.parametrize("private", [True, False], ids=["private", "public"])
@pytest.mark.parametrize("viewer_kind", MATRIX_VIEWERS)
def test_visibility_matrix_for_an_authors_account_statuses_and_followers(client, alice, bob, charlie, private, viewer_kind):
    """bob is the author (charlie follows him); alice is the viewer in each role."""
    if private:
        make_private(bob)
    FollowFactory(follower=charlie, followee=bob)
    post = PostRowsFactory(author=bob)
    viewer = bob if viewer_kind == "author" else alice
    if viewer_kind == "follower":
        FollowFactory(follower=alice, followee=bob)
    elif viewer_kind == "requested":
        FollowFactory(follower=alice, followee=bob, accept=not private)
    elif viewer_kind == "blocked":
        BlockFactory(blocker=bob, blocked=alice)
    elif viewer_kind == "blocker":
        BlockFactory(blocker=alice, blocked=bob)
    elif viewer_kind == "suspended":
        User.objects.filter(pk=bob.pk).update(is_active=False)
    headers = {} if viewer_kind == "anonymous" else auth(api_token(viewer))

    hidden = viewer_kind in ("blocked", "blocker", "suspended")
    sees_content = not hidden and (not private or viewer_kind in ("follower", "author"))
    for url in (account_url(bob), "/api/v1/accounts/lookup?acct=bob"):
        response = client.get(url, **headers)
        assert response.status_code == (404 if hidden else 200), url
    statuses = client.get(account_url(bob, "statuses"), **headers)
    followers = client.get(account_url(bob, "followers"), **headers)
    if hidden:
        assert statuses.status_code == followers.status_code == 404
        return
    assert ids(statuses) == ([post.pk] if sees_content else [])
    alice_follows = viewer_kind == "follower" or (viewer_kind == "requested" and not private)  # public: no request
    expected_followers = {charlie.pk, alice.pk} if alice_follows else {charlie.pk}
    assert set(ids(followers)) == (expected_followers if sees_content else set())
