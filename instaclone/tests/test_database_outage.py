"""Database unreachable: a clear 503 page (or a short htmx answer) with Retry-After, rendered without
touching the database, never a bare 500 or a hang; a submission cut off mid-way leaves no row.

On SQLite the outage is injected at the driver boundary (`connection.execute_wrapper` raising the
OperationalError a dead server gives); on PostgreSQL the tests cut the connection for real
(`pg_terminate_backend` of the test's own connection, reconnects pointed at a closed port)."""

import contextlib
import socket
import sqlite3
import time

import pytest
from django.db import OperationalError, connection
from django.test import Client, RequestFactory

from instaclone.outages import outage_response
from instaclone.testing import image_upload, stored_files
from posts.models import Comment, Post, PostMedia
from posts.services import post_create

MESSAGE = "trouble reaching its database"
HX = {"HTTP_HX_REQUEST": "true"}


@contextlib.contextmanager
def database_down(after: str | None = None, cut=None):
    """Every query fails like a dead server; with `after`, only once a statement containing it runs
    (queries before it succeed: the failure comes mid-way through a request)."""
    state = {"down": after is None}

    def refuse(execute, sql, params, many, context):
        if not state["down"] and after in sql:
            state["down"] = True
        if state["down"]:
            if cut is not None:
                if not state.get("cut"):
                    state["cut"] = True
                    cut()
                return execute(sql, params, many, context)  # the real driver error
            raise OperationalError("could not connect to server: Connection refused")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse):
        yield


def _client(user):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _assert_outage_page(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    html = response.content.decode()
    assert MESSAGE in html and "<html" in html and "/static/" in html  # the site's look, its own CSS
    assert "Try again" in html


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/alice/", "/notifications/", "/p/new/"])
def test_signed_in_page_is_a_503_page_when_the_database_is_down(alice, url):
    client = _client(alice)
    with database_down():
        started = time.monotonic()
        response = client.get(url)
    assert time.monotonic() - started < 1
    _assert_outage_page(response)


@pytest.mark.django_db
def test_anonymous_page_is_a_503_page_when_the_database_is_down(alice):
    with database_down():
        response = Client(raise_request_exception=False).get("/alice/")
    _assert_outage_page(response)


@pytest.mark.django_db
def test_htmx_request_gets_a_short_text_answer(alice):
    client = _client(alice)
    post = post_create(author=alice, caption="hi", files=[(image_upload(), "")])
    with database_down():
        response = client.post(f"/p/{post.pk}/like/", **HX)
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert response["Content-Type"].startswith("text/plain")
    assert MESSAGE in response.content.decode() and "<html" not in response.content.decode()


@pytest.mark.django_db
def test_the_503_page_needs_no_database_and_no_cache(django_assert_num_queries, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    request = RequestFactory().get("/alice/")
    with django_assert_num_queries(0):
        response = outage_response(request, OperationalError("down"))
    _assert_outage_page(response)


@pytest.mark.django_db(transaction=True)  # the service's own transaction is the outermost
def test_a_new_post_cut_off_mid_way_leaves_no_row(alice, media_root):
    client = _client(alice)
    with database_down(after='INSERT INTO "posts_postmedia"'):
        response = client.post("/p/new/", {"caption": "half #done", "media": [image_upload()]})
    _assert_outage_page(response)
    assert not Post.objects.exists() and not PostMedia.objects.exists()
    alice.refresh_from_db()
    assert alice.post_count == 0
    assert stored_files(media_root) == []


@pytest.mark.django_db(transaction=True)  # the service's own transaction is the outermost
def test_a_comment_cut_off_mid_way_leaves_no_row(alice, bob):
    post = post_create(author=bob, caption="hi", files=[(image_upload(), "")])
    client = _client(alice)
    with database_down(after='UPDATE "posts_post"'):  # the counter, after the comment's INSERT
        response = client.post(f"/p/{post.pk}/comments/", {"body": "half a comment"})
    _assert_outage_page(response)
    assert not Comment.objects.exists()
    post.refresh_from_db()
    assert post.comment_count == 0


# --- PostgreSQL: cut the connection for real ---------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _terminate_test_connection():
    """Kill this test's PostgreSQL backend from a second connection (what a server restart does)."""
    import psycopg

    pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])


class ServerGone:
    """Cut this test's PostgreSQL connection; reconnects then go to a closed port until `restore()`."""

    def __init__(self):
        self.saved = None

    def __call__(self):
        _terminate_test_connection()
        self.saved = (connection.settings_dict["HOST"], connection.settings_dict["PORT"])
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(_closed_port()))

    def restore(self):
        if self.saved is not None:
            connection.settings_dict["HOST"], connection.settings_dict["PORT"] = self.saved
            self.saved = None
        connection.close()


@pytest.fixture
def server_gone():
    gone = ServerGone()
    yield gone
    gone.restore()


needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="cuts a real PostgreSQL connection")


@pytest.mark.parametrize("url", ["/", "/alice/"])
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@needs_postgres
def test_postgres_gone_gives_the_503_page_quickly(alice, server_gone, url):
    client = _client(alice)
    server_gone()
    started = time.monotonic()
    _assert_outage_page(client.get(url))  # the dead connection
    _assert_outage_page(client.get(url))  # a fresh connect to the closed port
    assert time.monotonic() - started < 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@needs_postgres
def test_postgres_cut_mid_post_leaves_no_row(alice, server_gone, media_root):
    client = _client(alice)
    with database_down(after='INSERT INTO "posts_postmedia"', cut=server_gone):
        response = client.post("/p/new/", {"caption": "half #done", "media": [image_upload()]})
    _assert_outage_page(response)
    server_gone.restore()
    assert not Post.objects.exists() and not PostMedia.objects.exists()
    alice.refresh_from_db()
    assert alice.post_count == 0
    assert stored_files(media_root) == []


class TouchesTheDatabase:
    """A middleware that queries before the view (as session or lifetime checks do)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from accounts.models import User

        User.objects.exists()
        return self.get_response(request)


@pytest.mark.django_db
def test_a_failure_inside_another_middleware_is_still_the_503_page(alice, settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "instaclone.tests.test_database_outage.TouchesTheDatabase"]
    client = Client(raise_request_exception=False)
    with database_down():
        response = client.get("/accounts/login/")
    _assert_outage_page(response)


@contextlib.contextmanager
def database_down_in_every_thread(monkeypatch):
    """The live server answers from its own thread and connection: fail queries at the cursor class."""
    from django.db.backends import utils

    def refuse(self, *args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    with monkeypatch.context() as patch:
        patch.setattr(utils.CursorWrapper, "execute", refuse)
        patch.setattr(utils.CursorWrapper, "executemany", refuse)
        yield


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_shows_the_outage_as_a_message_then_as_a_page(page, login, live_server, alice, monkeypatch):
    post = post_create(author=alice, caption="hi", files=[(image_upload(), "")])
    login(page, "alice")
    page.goto(f"{live_server.url}/p/{post.pk}/")
    with database_down_in_every_thread(monkeypatch):
        page.locator("form.like-form button").first.click()  # htmx: a message, the page stays
        page.wait_for_selector(".message--error")
        assert MESSAGE in page.locator(".message--error").inner_text()
        response = page.goto(f"{live_server.url}/p/{post.pk}/")
        assert response.status == 503
        assert MESSAGE in page.inner_text("main, body")
        assert page.get_by_role("link", name="Try again").get_attribute("href") == f"/p/{post.pk}/"
    page.reload()
    assert page.locator("form.like-form").count() >= 1  # back by itself


class _DriverError(Exception):
    """Stands for psycopg's error classes, which carry the server's SQLSTATE."""

    def __init__(self, sqlstate):
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def _wrapped(cause) -> OperationalError:
    try:
        raise OperationalError(str(cause)) from cause
    except OperationalError as error:
        return error


@pytest.mark.parametrize(
    ("cause", "outage"),
    [
        (None, True),  # libpq could not connect: no SQLSTATE at all
        (_DriverError("08006"), True),  # connection failure
        (_DriverError("53300"), True),  # too many connections
        (_DriverError("57P01"), True),  # the server is shutting down
        (_DriverError("57014"), True),  # statement timeout
        (_DriverError("54000"), False),  # program limit exceeded: a query the database refuses
        (_DriverError("42P01"), False),  # undefined table: a bug
        (sqlite3.OperationalError("database is locked"), True),
        (sqlite3.OperationalError("too many SQL variables"), False),
    ],
)
def test_only_errors_that_mean_the_database_is_unreachable_count_as_an_outage(cause, outage):
    from instaclone.outages import is_outage

    error = OperationalError("down") if cause is None else _wrapped(cause)
    assert is_outage(error) is outage


@pytest.mark.django_db
def test_a_query_the_database_refuses_is_a_500_not_the_outage_page(alice, settings):
    """Hostile input that makes a query too big is a bug to fix, not "try again in a minute"."""
    settings.DEBUG = False
    client = _client(alice)

    def refuse(execute, sql, params, many, context):
        if "posts_post" in sql:
            raise OperationalError("too many SQL variables") from sqlite3.OperationalError("too many SQL variables")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse):
        response = client.get("/")
    assert response.status_code == 500
    assert MESSAGE not in response.content.decode()
