"""Error pages with DEBUG=0 (issue 9 item 13): 400, 403, 404, 429 and 500 are pages in the site's layout
with a way back; an htmx request gets a one-line text/plain answer with the same status (app.js shows
it in the page's message region); the 500 page renders without touching the database."""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.db import OperationalError, connection
from django.test import Client
from django.urls import path

from instaclone import urls as site_urls

HX = {"HTTP_HX_REQUEST": "true"}


def _forbidden(request):
    raise PermissionDenied


def _crash(request):
    raise RuntimeError("boom")


# This module is also the URLconf of the tests below: the site's routes, the site's handlers, and
# two views that fail on purpose.
urlpatterns = [path("test-errors/403/", _forbidden), path("test-errors/500/", _crash), *site_urls.urlpatterns]
for _name in ("handler400", "handler403", "handler404", "handler429", "handler500"):
    if hasattr(site_urls, _name):
        globals()[_name] = getattr(site_urls, _name)

pytestmark = pytest.mark.urls(__name__)


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False


@pytest.fixture
def client(client):
    client.raise_request_exception = False
    return client


def assert_layout_page(response, status, title):
    html = response.content.decode()
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert '<main id="main"' in html and 'class="skip-link"' in html  # the site's layout
    assert f"<h1 id=\"error-title\">{title}</h1>" in html
    assert 'href="/">Home</a>' in html  # a way back
    assert "Content-Security-Policy" in response


def assert_htmx_text(response, status, words):
    body = response.content.decode()
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/plain")
    assert "<" not in body and len(body) < 200 and words in body


def test_404_is_a_page_with_the_way_back(client, alice):
    client.force_login(alice)
    response = client.get("/p/999999/", HTTP_REFERER="http://testserver/explore/")
    assert_layout_page(response, 404, "Page not found")
    html = response.content.decode()
    assert 'href="/explore/">Go back</a>' in html
    assert 'class="nav"' in html  # signed in: the usual navigation


def test_404_go_back_never_points_off_site(client, db):
    html = client.get("/p/999999/", HTTP_REFERER="https://evil.example/phish").content.decode()
    assert "evil.example" not in html


def test_404_for_htmx_is_one_line(client, db):
    assert_htmx_text(client.get("/p/999999/", **HX), 404, "no longer available")


def test_boosted_htmx_navigation_gets_the_page(client, db):
    response = client.get("/p/999999/", HTTP_HX_BOOSTED="true", **HX)
    assert_layout_page(response, 404, "Page not found")


def test_403(client, db):
    assert_layout_page(client.get("/test-errors/403/"), 403, "You can&#x27;t do that")
    assert_htmx_text(client.get("/test-errors/403/", **HX), 403, "permission")


def test_400_from_a_refused_host(client, db):
    response = client.get("/", HTTP_HOST="evil.example")
    assert_layout_page(response, 400, "Bad request")
    assert "evil.example" not in response.content.decode()
    assert_htmx_text(client.get("/", HTTP_HOST="evil.example", **HX), 400, "wasn't right")


def test_csrf_failure_says_to_reload(db, alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post("/settings/profile/", {"display_name": "x"})
    assert_layout_page(response, 403, "You can&#x27;t do that")
    assert "Reload the page" in response.content.decode()
    assert_htmx_text(client.post("/settings/profile/", {}, **HX), 403, "Reload the page")


def test_429_from_allauth_rate_limit_is_our_page(client, alice, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "1/m/ip"}
    client.post("/accounts/login/", {"login": "alice", "password": "wrong"})
    response = client.post("/accounts/login/", {"login": "alice", "password": "wrong"})
    assert_layout_page(response, 429, "Slow down")
    assert_htmx_text(client.post("/accounts/login/", {"login": "alice", "password": "x"}, **HX), 429, "wait a minute")


def test_500_is_a_page_and_never_touches_the_database(client, db):
    attempts = []

    def database_is_down(execute, sql, params, many, context):
        attempts.append(sql)
        raise OperationalError("the database is down")

    with connection.execute_wrapper(database_is_down):
        response = client.get("/test-errors/500/")
        htmx = client.get("/test-errors/500/", **HX)
    assert_layout_page(response, 500, "Something went wrong")
    assert attempts == []
    assert_htmx_text(htmx, 500, "try again")


def test_a_failing_view_for_a_signed_in_person_while_the_database_is_down_is_the_outage_page(client, alice):
    """A session cookie, a user that cannot be loaded, a view that fails: still a page in our
    layout, not a second crash inside the handler or a middleware. The session read is what fails
    first, so this is the database-outage page (instaclone.outages), 503."""
    client.force_login(alice)

    def database_is_down(execute, sql, params, many, context):
        raise OperationalError("the database is down")

    with connection.execute_wrapper(database_is_down):
        response = client.get("/test-errors/500/")
    assert_layout_page(response, 503, "Back in a moment")
    assert response["Retry-After"]
    assert "no-store" in response["Cache-Control"]


def test_405_page_keeps_its_status_and_allow_header(client, alice):
    from posts.tests.factories import PostFactory

    post = PostFactory(author=alice)
    response = client.get(f"/p/{post.pk}/like/")
    assert response.status_code == 405 and "POST" in response["Allow"]
    assert "That link only works as a button" in response.content.decode()
    assert 'href="/p/' in response.content.decode()


def _error_page_parts(html: str) -> dict:
    main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    return {
        "h1": main.count("<h1"),
        "status": re.search(r'class="error-page__status muted">Error (\d+)<', main),
        "message": re.search(r'<p class="error-page__message">([^<]+)</p>', main),
        "home": 'href="/">Home</a>' in main,
    }


@pytest.mark.parametrize("status", [400, 403, 404, 405, 429, 500, 503])
def test_every_error_page_has_the_same_structure(client, alice, status):
    """One heading, the status, a helpful line and a way home, in the site's layout: the pages
    Django's handlers render, the readable 405 and the database-outage 503 alike."""
    from django.test import RequestFactory

    from instaclone.views import error_response
    from posts.tests.factories import PostRowsFactory

    if status == 405:
        response = client.get(f"/p/{PostRowsFactory(author=alice).pk}/like/")
    elif status == 503:
        response = error_response(RequestFactory().get("/"), 503, minimal=True, template="503.html")
    else:
        response = error_response(RequestFactory().get("/"), status, minimal=status in (400, 500))
    html = response.content.decode()
    parts = _error_page_parts(html)
    assert response.status_code == status
    assert parts["h1"] == 1, "one heading-one"
    assert parts["status"] and parts["status"].group(1) == str(status)
    assert parts["message"] and len(parts["message"].group(1).strip()) > 20, "a helpful line"
    assert parts["home"]
    assert 'class="skip-link"' in html and "<title>" in html
