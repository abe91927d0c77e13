"""Shared fixtures: personas (alice, bob, charlie), an isolated media root, a cleared cache, a fast
password hasher, and the Playwright browser harness (Debian's Chromium)."""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in this thread; the test body and live_server still
# make ordinary synchronous ORM calls, which Django would otherwise refuse.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from accounts.tests.factories import UserFactory  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Tasks run inside the request, as soon as their transaction commits (the engine's own tests
    # use the database backend and a real worker).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # Live events stay in this process unless a test sets up its own Redis layer (social/tests/live/).
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    # pytest-django's live_server speaks WSGI only: pages there open no live socket (they poll); the
    # live tests turn it on with their own ASGI server (social/tests/live/conftest.py: asgi_server).
    settings.LIVE_UPDATES = False


@pytest.fixture(autouse=True)
def _commits_run_on_commit_hooks():
    from instaclone.testing import commits_in_test_transactions

    with commits_in_test_transactions():
        yield


@pytest.fixture(autouse=True)
def _clear_cache(settings):
    """Tests never touch what isn't theirs: a Redis cache is moved to its own database number
    (REDIS_TEST_DB, default 15) under this run's key prefix, and clearing deletes only that prefix."""
    from django.core.cache import cache

    from instaclone.testing import test_cache_settings

    settings.CACHES = test_cache_settings(settings.CACHES)
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def redis_server(settings, tmp_path):
    """A redis-server of this test's own (free port, no persistence) that the site's cache and
    sessions use; the test may `.stop()`, `.start()`, `.pause()` (hang) and `.resume()` it."""
    from instaclone.testing import REDIS_SERVER, RedisServer, test_cache_settings

    if not (os.path.exists(REDIS_SERVER) or shutil.which(REDIS_SERVER)):
        pytest.skip(f"redis-server is not installed at {REDIS_SERVER} (apt-get install redis-server); Redis fault tests skipped")
    server = RedisServer(tmp_path / "redis").start()
    backend = settings.CACHES["default"]["BACKEND"]
    if "redis" not in backend.lower():
        backend = "instaclone.cache.ResilientRedisCache"
    settings.REDIS_BACKOFF = 0.5
    settings.CACHES = test_cache_settings({"default": {"BACKEND": backend, "LOCATION": server.url}})
    yield server
    server.stop()


@pytest.fixture
def media_root(settings):
    return settings.MEDIA_ROOT


@pytest.fixture
def alice(db):
    return UserFactory(username="alice", display_name="Alice Liddell")


@pytest.fixture
def bob(db):
    return UserFactory(username="bob", display_name="Bob Builder")


@pytest.fixture
def charlie(db):
    return UserFactory(username="charlie", display_name="Charlie Brown")


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


# --- Browser harness --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def _browser():
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium); browser tests skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def browser_context(_browser):
    context = _browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(browser_context):
    return browser_context.new_page()


def browser_login(page, live_server, username, password=None):
    """Sign in through the real login form."""
    from instaclone.testing import DEFAULT_PASSWORD

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", password or DEFAULT_PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    # The feed loads "Suggested for you" by htmx once it is on screen. Let that request finish
    # before the test goes on: on SQLite's in-memory test database the live server's request
    # threads share one connection, and a request left running while the test writes through the
    # ORM once hung a CI run (about 0.5 s per sign-in, 69 sign-ins).
    page.wait_for_load_state("networkidle")


@pytest.fixture
def login(live_server):
    def _login(page, username, password=None):
        browser_login(page, live_server, username, password)

    return _login


# --- ImageKit ---------------------------------------------------------------------------------


@pytest.fixture
def fake_imagekit(settings):
    """A local fake of ImageKit's API (instaclone/tests/fake_imagekit.py) with the default storage
    switched to ImageKitStorage pointed at it. Yields the fake: `.files`, `.paths()`, `.requests`,
    and the `.outage()` / `.hang()` / `.fail_next()` / `.heal()` switches."""
    from instaclone.tests.fake_imagekit import FakeImageKit, reset_storage, use_fake_imagekit

    with FakeImageKit() as fake:
        use_fake_imagekit(settings, fake)
        yield fake
    reset_storage()
