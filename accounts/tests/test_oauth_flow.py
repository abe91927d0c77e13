"""OAuth 2 for the client API (issue 14): app registration, the consent page (sign-in required, the
site's layout, out-of-band code page), the token endpoint (authorization code with and without
PKCE, client credentials, form and JSON bodies, no password grant), revocation and the RFC 8414
metadata. Driven by Django's test client."""

import base64
import hashlib
import json
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from oauth2_provider.models import get_access_token_model, get_application_model

pytestmark = pytest.mark.django_db
OOB = "urn:ietf:wg:oauth:2.0:oob"


def register(client, **data):
    data = {"client_name": "Toot client", "redirect_uris": OOB, "scopes": "read write follow", **data}
    return client.post("/api/v1/apps", data)


@pytest.fixture
def app(client):
    response = register(client)
    assert response.status_code == 200, response.content
    return response.json()


def authorize_params(app, **extra):
    return {"response_type": "code", "client_id": app["client_id"], "redirect_uri": OOB, "scope": "read write", **extra}


def get_code(client, app, **extra):
    params = authorize_params(app, **extra)
    page = client.get("/oauth/authorize?" + urlencode(params))
    assert page.status_code == 200, page.content
    form = page.context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    response = client.post("/oauth/authorize?" + urlencode(params), {**data, "allow": "Authorize"})
    assert response.status_code == 200, response.content
    return response.context["code"]


def exchange(client, app, code, **extra):
    return client.post("/oauth/token", {
        "grant_type": "authorization_code", "code": code, "client_id": app["client_id"],
        "client_secret": app["client_secret"], "redirect_uri": OOB, **extra,
    })


# --- registration ----------------------------------------------------------------------------------


def test_registering_an_app_returns_mastodons_shape(client):
    response = register(client, website="https://toot.example", redirect_uris=f"{OOB}\nhttps://toot.example/cb")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Toot client"
    assert body["website"] == "https://toot.example"
    assert body["redirect_uris"] == [OOB, "https://toot.example/cb"]
    assert body["redirect_uri"] == f"{OOB}\nhttps://toot.example/cb"
    assert body["scopes"] == ["read", "write", "follow"]
    assert body["client_secret_expires_at"] == 0
    assert body["client_id"] and body["client_secret"] and body["id"]
    app = get_application_model().objects.get(client_id=body["client_id"])
    assert app.client_type == "confidential"
    assert app.client_secret != body["client_secret"]  # stored hashed


def test_an_app_defaults_to_read_and_takes_json(client):
    response = client.post("/api/v1/apps", json.dumps({"client_name": "J", "redirect_uris": [OOB]}), content_type="application/json")
    assert response.status_code == 200
    assert response.json()["scopes"] == ["read"]


@pytest.mark.parametrize("data, field", [
    ({"scopes": "read admin:write"}, "scopes"),
    ({"scopes": "read unconfirmed"}, "scopes"),
    ({"redirect_uris": "javascript:alert(1)"}, "redirect_uris"),
    ({"redirect_uris": "data:text/html,hi"}, "redirect_uris"),
    ({"redirect_uris": "https://x.example/cb#frag"}, "redirect_uris"),
    ({"redirect_uris": ""}, "redirect_uris"),
    ({"client_name": ""}, "client_name"),
    ({"website": "javascript:alert(1)"}, "website"),
])
def test_a_bad_app_is_a_422_with_details(client, data, field):
    response = register(client, **data)
    assert response.status_code == 422
    assert field in response.json()["details"]
    assert response.json()["error"].startswith("Validation failed")


def test_a_native_apps_own_scheme_is_accepted(client):
    assert register(client, redirect_uris="tootapp://oauth").status_code == 200


@pytest.mark.parametrize("uri, ok", [
    ("http://127.0.0.1:8080/cb", True),
    ("http://localhost/cb", True),
    ("http://[::1]:9000/cb", True),
    ("https://client.example/cb", True),
    ("http://client.example/cb", False),  # RFC 9700: plain http only to a loopback address
])
def test_plain_http_redirects_only_to_loopback(client, uri, ok):
    assert (register(client, redirect_uris=uri).status_code == 200) is ok


def test_a_loopback_redirect_may_use_any_port(alice_client, client):
    app = register(client, redirect_uris="http://127.0.0.1/cb").json()
    params = authorize_params(app, redirect_uri="http://127.0.0.1:53117/cb")
    page = alice_client.get("/oauth/authorize?" + urlencode(params))
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    response = alice_client.post("/oauth/authorize?" + urlencode(params), {**data, "allow": "Authorize"})
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.netloc == "127.0.0.1:53117" and "code" in parse_qs(location.query)
    assert parse_qs(location.query)["iss"] == ["http://testserver"]  # RFC 9207


def test_app_registration_is_rate_limited_per_address(client, settings):
    settings.API_APP_REGISTRATION_RATE_LIMIT = (2, 3600)
    assert register(client).status_code == 200
    assert register(client).status_code == 200
    response = register(client)
    assert response.status_code == 429
    assert response.json() == {"error": "Too many requests"}


def test_verify_credentials_with_an_app_token(client, app):
    token = client.post("/oauth/token", {"grant_type": "client_credentials", "client_id": app["client_id"],
                                         "client_secret": app["client_secret"]}).json()
    response = client.get("/api/v1/apps/verify_credentials", HTTP_AUTHORIZATION=f"Bearer {token['access_token']}")
    assert response.status_code == 200
    assert response.json()["name"] == "Toot client"
    assert "client_secret" not in response.json()
    assert client.get("/api/v1/apps/verify_credentials").status_code == 401


def test_paths_answer_with_a_trailing_slash_too(alice_client, client, app):
    """Mastodon's routes do (Rails); the toot CLI opens /oauth/authorize/."""
    assert client.get("/.well-known/oauth-authorization-server/").status_code == 200
    assert alice_client.get("/oauth/authorize/?" + urlencode(authorize_params(app))).status_code == 200


# --- the consent page ------------------------------------------------------------------------------


def test_the_consent_page_needs_a_signed_in_person(client, app):
    url = "/oauth/authorize?" + urlencode(authorize_params(app))
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert parse_qs(urlsplit(response["Location"]).query)["next"] == [url]


def test_the_consent_page_shows_the_app_and_scopes_in_words(alice_client, client, app):
    response = alice_client.get("/oauth/authorize?" + urlencode(authorize_params(app, scope="read write:favourites")))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Authorize Toot client?" in html
    assert "See everything on your account" in html
    assert "Like and unlike posts" in html
    assert 'name="allow"' in html and "Deny" in html
    assert '<main' in html and "auth__card" in html and "· Instaclone</title>" in html  # the site's layout


def test_a_scope_the_app_did_not_register_is_refused(alice_client, client):
    app = register(client, scopes="read").json()
    response = alice_client.get("/oauth/authorize?" + urlencode(authorize_params(app, scope="read write")))
    assert "write" not in get_access_token_model().objects.values_list("scope", flat=True)
    assert response.status_code == 400
    assert b"invalid_scope" in response.content and b"can't be authorized" in response.content


def test_a_scope_added_to_the_consent_form_is_refused_too(alice_client, client):
    app = register(client, scopes="read").json()
    params = authorize_params(app, scope="read")
    page = alice_client.get("/oauth/authorize?" + urlencode(params))
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    response = alice_client.post("/oauth/authorize?" + urlencode(params), {**data, "scope": "read write", "allow": "Authorize"})
    assert response.status_code == 400 and not response.context["code"]
    assert b"invalid_scope" in response.content


def test_a_sub_scope_of_a_registered_scope_is_allowed(alice_client, client):
    app = register(client, scopes="read follow").json()
    code = get_code(alice_client, app, scope="read:statuses write:follows")
    response = exchange(client, app, code)
    assert response.status_code == 200
    assert response.json()["scope"] == "read:statuses write:follows"


def test_oob_shows_the_code_then_the_code_gives_a_token(alice_client, client, app, alice):
    code = get_code(alice_client, app)
    response = exchange(client, app, code)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "scope", "created_at"}
    assert body["token_type"] == "Bearer" and body["scope"] == "read write"
    token = get_access_token_model().objects.get()
    assert token.user == alice and token.token_checksum and token.token != body["access_token"]
    assert exchange(client, app, code).status_code == 400  # a code works once


def test_deny_on_oob_shows_that_nothing_was_given(alice_client, app):
    params = authorize_params(app)
    page = alice_client.get("/oauth/authorize?" + urlencode(params))
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    response = alice_client.post("/oauth/authorize?" + urlencode(params), data)
    assert response.status_code == 403
    assert b"Authorization denied" in response.content
    assert not get_access_token_model().objects.exists()


def test_a_registered_web_redirect_gets_the_code(alice_client, client):
    app = register(client, redirect_uris="https://client.example/cb").json()
    params = authorize_params(app, redirect_uri="https://client.example/cb", state="xyz")
    page = alice_client.get("/oauth/authorize?" + urlencode(params))
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    response = alice_client.post("/oauth/authorize?" + urlencode(params), {**data, "allow": "Authorize"})
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.netloc == "client.example" and parse_qs(location.query)["state"] == ["xyz"]


def test_an_unregistered_redirect_uri_is_refused(alice_client, app):
    response = alice_client.get("/oauth/authorize?" + urlencode(authorize_params(app, redirect_uri="https://evil.example/")))
    assert response.status_code == 400
    assert b"can't be authorized" in response.content


# --- PKCE -----------------------------------------------------------------------------------------


def _pkce():
    verifier = "v" * 64
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def test_pkce_s256(alice_client, client, app):
    verifier, challenge = _pkce()
    code = get_code(alice_client, app, code_challenge=challenge, code_challenge_method="S256")
    assert exchange(client, app, code, code_verifier="w" * 64).status_code == 400
    code = get_code(alice_client, app, code_challenge=challenge, code_challenge_method="S256")
    assert exchange(client, app, code, code_verifier=verifier).status_code == 200


def test_pkce_plain_is_refused(alice_client, app):
    params = authorize_params(app, code_challenge="x" * 50, code_challenge_method="plain")
    page = alice_client.get("/oauth/authorize?" + urlencode(params))
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    response = alice_client.post("/oauth/authorize?" + urlencode(params), {**data, "allow": "Authorize"})
    assert response.status_code == 400
    assert b"S256" in response.content and not response.context["code"]


def test_a_public_client_must_use_pkce(alice_client, client, app):
    get_application_model().objects.filter(client_id=app["client_id"]).update(client_type="public")
    response = alice_client.get("/oauth/authorize?" + urlencode(authorize_params(app)))
    assert response.status_code == 400
    assert b"challenge" in response.content.lower()


# --- the token endpoint -------------------------------------------------------------------------------


def test_client_credentials_gives_an_app_token(client, app):
    response = client.post("/oauth/token", {"grant_type": "client_credentials", "client_id": app["client_id"],
                                            "client_secret": app["client_secret"], "scope": "read"})
    assert response.status_code == 200
    assert response.json()["scope"] == "read"
    assert get_access_token_model().objects.get().user is None


def test_client_credentials_within_the_apps_scopes_only(client):
    app = register(client, scopes="read").json()
    creds = {"grant_type": "client_credentials", "client_id": app["client_id"], "client_secret": app["client_secret"]}
    assert client.post("/oauth/token", {**creds, "scope": "read:statuses"}).json()["scope"] == "read:statuses"
    refused = client.post("/oauth/token", {**creds, "scope": "read write"})
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_scope"


def test_the_token_endpoint_takes_json(alice_client, client, app):
    code = get_code(alice_client, app)
    body = {"grant_type": "authorization_code", "code": code, "client_id": app["client_id"],
            "client_secret": app["client_secret"], "redirect_uri": OOB}
    response = client.post("/oauth/token", json.dumps(body), content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["token_type"] == "Bearer"


def test_a_wrong_secret_is_refused(client, app):
    response = client.post("/oauth/token", {"grant_type": "client_credentials", "client_id": app["client_id"],
                                            "client_secret": "nope"})
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


@pytest.mark.parametrize("grant", ["password", "refresh_token", "implicit", "urn:ietf:params:oauth:grant-type:device_code"])
def test_other_grants_are_unsupported(client, app, alice, grant):
    response = client.post("/oauth/token", {"grant_type": grant, "client_id": app["client_id"],
                                            "client_secret": app["client_secret"], "username": "alice",
                                            "password": "correct-horse-battery-staple", "refresh_token": "x"})
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"
    assert not get_access_token_model().objects.exists()


def test_a_suspended_person_gets_no_token(alice_client, client, app, alice):
    code = get_code(alice_client, app)
    type(alice).objects.filter(pk=alice.pk).update(is_active=False)
    assert exchange(client, app, code).status_code == 400
    assert not get_access_token_model().objects.exists()


def test_an_implicit_grant_is_refused(alice_client, app):
    response = alice_client.get("/oauth/authorize?" + urlencode(authorize_params(app, response_type="token")))
    assert response.status_code == 400
    assert b"unsupported_response_type" in response.content
    assert not get_access_token_model().objects.exists()


# --- revocation and metadata -----------------------------------------------------------------------------


def test_revoke_kills_the_token_at_once(alice_client, client, app):
    token = exchange(client, app, get_code(alice_client, app)).json()["access_token"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get("/api/v1/apps/verify_credentials", **auth).status_code == 200
    response = client.post("/oauth/revoke", {"client_id": app["client_id"], "client_secret": app["client_secret"], "token": token})
    assert response.status_code == 200 and response.json() == {}
    assert client.get("/api/v1/apps/verify_credentials", **auth).status_code == 401


def test_revoke_takes_json(alice_client, client, app):
    token = exchange(client, app, get_code(alice_client, app)).json()["access_token"]
    body = {"client_id": app["client_id"], "client_secret": app["client_secret"], "token": token}
    assert client.post("/oauth/revoke", json.dumps(body), content_type="application/json").status_code == 200
    assert client.get("/api/v1/apps/verify_credentials", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_a_token_in_the_query_string_is_refused(alice_client, client, app):
    """RFC 9700 §4.3.2: a URL ends up in logs and Referer headers; only the header carries it."""
    token = exchange(client, app, get_code(alice_client, app)).json()["access_token"]
    assert client.get(f"/api/v1/apps/verify_credentials?access_token={token}").status_code == 401


def test_an_app_cannot_revoke_another_apps_token(alice_client, client, app):
    other = register(client, client_name="Other").json()
    token = exchange(client, app, get_code(alice_client, app)).json()["access_token"]
    response = client.post("/oauth/revoke", {"client_id": other["client_id"], "client_secret": other["client_secret"], "token": token})
    assert response.status_code == 200  # RFC 7009: no telling whether the token exists
    assert client.get("/api/v1/apps/verify_credentials", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200


def test_server_metadata_lists_exactly_what_is_offered(client):
    response = client.get("/.well-known/oauth-authorization-server", HTTP_ORIGIN="https://web.example")
    assert response.status_code == 200
    body = response.json()
    assert body["issuer"] == "http://testserver"
    assert body["authorization_endpoint"] == "http://testserver/oauth/authorize"
    assert body["token_endpoint"] == "http://testserver/oauth/token"
    assert body["revocation_endpoint"] == "http://testserver/oauth/revoke"
    assert body["app_registration_endpoint"] == "http://testserver/api/v1/apps"
    assert body["grant_types_supported"] == ["authorization_code", "client_credentials"]
    assert body["response_types_supported"] == ["code"]
    assert body["code_challenge_methods_supported"] == ["S256"]
    assert {"read", "write", "follow", "read:statuses", "write:favourites"} <= set(body["scopes_supported"])
    assert "unconfirmed" not in body["scopes_supported"]
    assert response["Access-Control-Allow-Origin"] == "*"
