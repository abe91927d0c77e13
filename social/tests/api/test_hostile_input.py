"""The client API against hostile or odd input (issue 14's review): never a 500, never stored
garbage, never an answer that tells an invisible thing from a missing one, and refusals that say
what a client needs (413 before a body is read, 429 with when to come back, 401 with RFC 6750's
challenge, 405 on every route)."""

from __future__ import annotations

import pytest
from django.http.multipartparser import MultiPartParser

from accounts.tests.factories import BlockFactory, FollowFactory, UserFactory
from instaclone.testing import api_token, image_bytes
from posts.models import MediaDraft, Post
from posts.tests.factories import LikeFactory, PostRowsFactory, SaveFactory, upload

pytestmark = pytest.mark.django_db

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")  # digits to str.isdigit(), and int() reads them


def auth(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def token(alice):
    return api_token(alice)


# --- ids: ASCII digits only (instaclone.api.parse_id) ----------------------------------------------


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/accounts/%C2%B2", 404),
        ("/api/v1/statuses/%C2%B2", 404),
        ("/api/v1/statuses/%C2%B2/favourite", 404),
        ("/api/v1/media/%C2%B2", 404),
        ("/api/v1/notifications/%C2%B2", 404),
        ("/api/v1/notifications?account_id=%C2%B2", 404),
        ("/api/v1/timelines/home?max_id=%C2%B2", 400),  # neither an id nor one of our cursors
        ("/api/v1/favourites?max_id=%C2%B2", 400),
        ("/api/v1/accounts/{alice}/statuses?max_id=%C2%B2", 400),
        ("/api/v1/timelines/home?limit=%C2%B2", 200),  # the default page size
        ("/api/v1/accounts/relationships?id[]=%C2%B2", 200),
    ],
)
def test_superscript_digits_are_not_ids(client, alice, token, path, status):
    method = client.post if path.endswith("/favourite") else client.get
    response = method(path.format(alice=alice.pk), **auth(token))
    assert response.status_code == status
    assert ("error" in response.json()) == (status != 200)


def test_an_id_in_other_scripts_digits_is_not_an_alias(client, token, alice):
    post = PostRowsFactory(author=alice)
    other = str(post.pk).translate(ARABIC_INDIC)
    assert int(other) == post.pk  # what int() alone would have let through
    assert client.get(f"/api/v1/statuses/{other}", **auth(token)).status_code == 404
    assert client.get(f"/api/v1/accounts/{str(alice.pk).translate(ARABIC_INDIC)}", **auth(token)).status_code == 404
    assert client.get("/api/v1/accounts/relationships", {"id[]": str(alice.pk).translate(ARABIC_INDIC)},
                      **auth(token)).json() == []


@pytest.mark.parametrize("media_ids", [["²"], ["١"], [[1]], [True], [1.5], ["-1"], ["0"]])
def test_media_ids_that_are_not_ids_are_422(client, token, media_ids):
    response = client.post("/api/v1/statuses", {"status": "x", "media_ids": media_ids},
                           content_type="application/json", **auth(token))
    assert response.status_code == 422 and response.json()["error"].startswith("Media not found")
    assert not Post.objects.exists()


def test_a_number_parameter_that_is_no_number_is_422_never_500(client, token):
    for limit in ("Infinity", "1e999", "²", "1_0"):
        response = client.get(f'/api/v1/accounts/search?q=a&limit={limit}', **auth(token))
        assert response.status_code == 422, limit
    body = '{"q": "a", "limit": Infinity}'  # Python's json reads it; int() of it overflows
    response = client.generic("GET", "/api/v2/search", body, content_type="application/json", **auth(token))
    assert response.status_code == 422


# --- NUL characters and lists where text is expected ---------------------------------------------


def test_a_caption_with_a_nul_is_refused_on_create_and_edit(client, token, alice):
    post = PostRowsFactory(author=alice, caption="before")
    response = client.put(f"/api/v1/statuses/{post.pk}", {"status": "a\x00b"},
                          content_type="application/json", **auth(token))
    assert response.status_code == 422 and "null characters" in response.json()["error"]
    post.refresh_from_db()
    assert post.caption == "before"
    draft = client.post("/api/v2/media", {"file": upload("p.jpg", image_bytes(), "image/jpeg")}, **auth(token))
    response = client.post("/api/v1/statuses", {"status": "c\x00d", "media_ids": [draft.json()["id"]]},
                           content_type="application/json", **auth(token))
    assert response.status_code == 422 and "null characters" in response.json()["error"]
    assert list(Post.objects.all()) == [post]


def test_an_alt_text_with_a_nul_is_refused_everywhere(client, token, alice):
    response = client.post("/api/v2/media", {"file": upload("p.jpg", image_bytes(), "image/jpeg"),
                                             "description": "a\x00b"}, **auth(token))
    assert response.status_code == 422 and not MediaDraft.objects.exists()
    draft_id = client.post("/api/v2/media", {"file": upload("p.jpg", image_bytes(), "image/jpeg")},
                           **auth(token)).json()["id"]
    response = client.put(f"/api/v1/media/{draft_id}", {"description": "x\x00y"},
                          content_type="application/json", **auth(token))
    assert response.status_code == 422 and MediaDraft.objects.get().alt_text == ""
    post = PostRowsFactory(author=alice)
    media = post.media.get()
    response = client.put(f"/api/v1/statuses/{post.pk}",
                          {"media_attributes": [{"id": str(media.pk), "description": "x\x00y"}]},
                          content_type="application/json", **auth(token))
    assert response.status_code == 422
    media.refresh_from_db()
    assert "\x00" not in media.alt_text


def test_a_list_where_text_is_expected_is_422_not_stored(client, token, alice):
    post = PostRowsFactory(author=alice)
    media = post.media.get()
    before = media.alt_text
    response = client.put(f"/api/v1/statuses/{post.pk}",
                          {"media_attributes": [{"id": str(media.pk), "description": ["x"]}]},
                          content_type="application/json", **auth(token))
    assert response.status_code == 422
    media.refresh_from_db()
    assert media.alt_text == before  # never "['x']"
    for body in ({"locked": ["x"]}, {"locked": {"a": 1}}, {"display_name": ["a"]}, {"note": {"a": 1}}):
        response = client.patch("/api/v1/accounts/update_credentials", body,
                                content_type="application/json", **auth(token))
        assert response.status_code == 422, body
    alice.refresh_from_db()
    assert not alice.is_private


# --- Link headers --------------------------------------------------------------------------------


def test_the_link_header_keeps_repeated_parameters(client, token, alice):
    for _ in range(3):
        FollowFactory(follower=UserFactory(), followee=alice)
    response = client.get("/api/v1/notifications?limit=1&exclude_types[]=favourite&exclude_types[]=mention",
                          **auth(token))
    link = response["Link"]
    next_url = link.split(">;")[0].lstrip("<")
    assert "exclude_types%5B%5D=favourite" in next_url and "exclude_types%5B%5D=mention" in next_url
    assert len(client.get(next_url, **auth(token)).json()) == 1


# --- numeric max_id / since_id / min_id: nothing told about what the caller may not see -----------


def test_favourited_by_tells_nothing_of_a_liker_who_blocked_the_reader(client, alice, bob, charlie):
    post = PostRowsFactory(author=alice)
    LikeFactory(user=UserFactory(), post=post)  # an older like the reader may see
    LikeFactory(user=charlie, post=post)
    BlockFactory(blocker=charlie, blocked=bob)
    token = api_token(bob)
    url = f"/api/v1/statuses/{post.pk}/favourited_by"
    blocked = client.get(url, {"max_id": charlie.pk}, **auth(token))
    stranger = client.get(url, {"max_id": UserFactory().pk}, **auth(token))
    assert blocked.status_code == stranger.status_code == 200
    assert blocked.json() == stranger.json() == []


@pytest.mark.parametrize(("path", "factory"), [("/api/v1/favourites", LikeFactory), ("/api/v1/bookmarks", SaveFactory)])
def test_own_likes_and_saves_of_a_post_no_longer_visible_resolve_to_nothing(client, alice, bob, path, factory):
    older = PostRowsFactory(author=UserFactory())
    factory(user=alice, post=older)
    hidden = PostRowsFactory(author=bob)
    factory(user=alice, post=hidden)
    BlockFactory(blocker=bob, blocked=alice)  # bob's post is gone for alice, as if deleted
    token = api_token(alice)
    invisible = client.get(path, {"max_id": hidden.pk}, **auth(token))
    deleted = client.get(path, {"max_id": 999999}, **auth(token))
    assert invisible.status_code == deleted.status_code == 200
    assert invisible.json() == deleted.json() == []


@pytest.mark.parametrize("bound", ["max_id", "since_id", "min_id"])
def test_a_deleted_status_as_bound_is_an_empty_page_not_an_error(client, alice, bob, bound):
    FollowFactory(follower=alice, followee=bob)
    post = PostRowsFactory(author=bob)
    gone = post.pk
    post.delete()
    response = client.get("/api/v1/timelines/home", {bound: gone}, **auth(api_token(alice)))
    assert response.status_code == 200 and response.json() == []


# --- body size: refused before the token is checked, and before it is read ----------------------


@pytest.fixture
def parsed(monkeypatch):
    """Every multipart body Django parses."""
    calls = []
    original = MultiPartParser.parse

    def spy(self):
        calls.append(1)
        return original(self)

    monkeypatch.setattr(MultiPartParser, "parse", spy)
    return calls


def test_an_upload_larger_than_any_file_is_413_before_the_token_is_checked(client, alice, settings, parsed):
    settings.IMAGE_MAX_BYTES = settings.VIDEO_MAX_BYTES = 10
    for headers in ({"HTTP_AUTHORIZATION": "Bearer bogus"}, auth(api_token(alice))):
        big = {"file": upload("p.jpg", b"x" * (2 * 1024 * 1024), "image/jpeg")}
        response = client.post("/api/v2/media", big, **headers)
        assert response.status_code == 413 and "error" in response.json()
    assert parsed == []


def test_a_bad_token_is_refused_without_parsing_the_upload(client, parsed):
    response = client.post("/api/v2/media", {"file": upload("p.jpg", image_bytes(), "image/jpeg")},
                           HTTP_AUTHORIZATION="Bearer bogus")
    assert response.status_code == 401
    assert parsed == []


def test_a_good_token_in_the_header_still_uploads(client, token, parsed):
    response = client.post("/api/v2/media", {"file": upload("p.jpg", image_bytes(), "image/jpeg")}, **auth(token))
    assert response.status_code == 200 and len(parsed) == 1  # once, by the view


def test_a_token_in_a_url_encoded_body_still_works_never_in_a_multipart_one(client, token, parsed):
    form = "application/x-www-form-urlencoded"
    url = "/api/v1/notifications/clear"
    assert client.post(url, f"access_token={token}", content_type=form).status_code == 200
    assert client.post(url, "access_token=bogus", content_type=form).status_code == 401
    assert client.post(url, {"access_token": token}).status_code == 401  # multipart: not parsed for it
    assert parsed == []


def test_a_json_body_over_a_megabyte_is_413(client, token):
    body = {"status": "x" * (1024 * 1024 + 1)}
    response = client.post("/api/v1/statuses", body, content_type="application/json", **auth(token))
    assert response.status_code == 413 and "error" in response.json()


# --- 401 and 429 answers --------------------------------------------------------------------------


def test_a_401_carries_the_bearer_challenge(client):
    response = client.get("/api/v1/accounts/verify_credentials", HTTP_AUTHORIZATION="Bearer nope")
    assert response.status_code == 401 and response["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    response = client.get("/api/v1/accounts/verify_credentials")
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Bearer"


def test_a_429_says_when_to_come_back(client, token, settings):
    settings.API_RATE_LIMIT = (2, 300)
    for _ in range(2):
        assert client.get("/api/v1/accounts/verify_credentials", **auth(token)).status_code == 200
    response = client.get("/api/v1/accounts/verify_credentials", **auth(token))
    assert response.status_code == 429
    assert response["X-RateLimit-Limit"] == "2" and response["X-RateLimit-Remaining"] == "0"
    assert response["X-RateLimit-Reset"].endswith("Z")
    assert 1 <= int(response["Retry-After"]) <= 300


def test_guessing_tokens_is_rate_limited_per_address(client, settings):
    settings.API_RATE_LIMIT = (2, 300)
    answers = [client.get("/api/v1/accounts/verify_credentials", HTTP_AUTHORIZATION=f"Bearer guess{i}")
               for i in range(3)]
    assert [r.status_code for r in answers] == [401, 401, 429]
    assert answers[0]["X-RateLimit-Remaining"] == "1" and "Retry-After" in answers[2]


def test_behind_a_proxy_each_client_address_has_its_own_limit(client, settings):
    """The address is the site's one reading of it (accounts.ratelimits.client_ip), not the proxy's."""
    settings.API_RATE_LIMIT = (1, 300)
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1

    def anonymous(address):
        return client.get("/api/v1/timelines/tag/cats", HTTP_X_FORWARDED_FOR=address).status_code

    assert [anonymous("203.0.113.7"), anonymous("203.0.113.7")] == [200, 429]
    assert anonymous("198.51.100.9") == 200  # another client behind the same proxy


# --- methods ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/timelines/home", "/api/v1/timelines/tag/cats", "/api/v2/search?q=a",
                                  "/api/v1/instance", "/api/v2/instance", "/api/v1/markers", "/api/v1/filters"])
@pytest.mark.parametrize("method", ["post", "delete"])
def test_a_read_only_route_answers_other_methods_405_json(client, token, path, method):
    response = getattr(client, method)(path, **auth(token))
    assert response.status_code == 405 and response.json() == {"error": "Method not allowed"}
    assert response["Allow"] == "GET"


def test_v1_instance_advertises_no_streaming(client):
    assert client.get("/api/v1/instance").json()["urls"] == {"streaming_api": None}
    assert client.get("/api/v2/instance").json()["configuration"]["urls"]["streaming"] is None
