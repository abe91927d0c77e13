"""static/js/live.js in a real browser, against the site's ASGI application (the `asgi_server`
fixture: uvicorn in a thread of the test process, the in-memory channel layer): the socket opens
under the site's CSP, the notifications badge changes without a reload, its poll is held while the
socket is open, the page reconnects (and says so with live:open) after the server drops it, stops
for good when the session ends, and pages work as before when the socket is refused."""

import time
from pathlib import Path

import pytest

from instaclone.testing import image_upload
from posts.services import post_create

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    # uvicorn serves static files through Django's ASGI handler, which reads them synchronously
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]

SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots" / "16"

WATCH = """
window.__live = {opens: 0, closes: [], events: []};
document.addEventListener("DOMContentLoaded", function () {
  document.body.addEventListener("live:open", function (e) { window.__live.opens += 1; });
  document.body.addEventListener("live:close", function (e) { window.__live.closes.push(e.detail.code); });
  document.body.addEventListener("live:badge", function (e) { window.__live.events.push(e.detail); });
});
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp = (window.__csp || []).concat([e.violatedDirective + " " + e.blockedURI]);
});
"""


def signed_in_page(_browser, server, username, *, width=1280, height=900):
    from conftest import browser_login

    context = _browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(15_000)
    context.add_init_script(WATCH)
    page = context.new_page()
    browser_login(page, server, username)
    return page


def wait_open(page, opens=1):
    page.wait_for_function(
        "n => document.body.dataset.liveState === 'open' && window.__live.opens >= n", arg=opens, timeout=15_000
    )


def badge_requests(page) -> list[str]:
    seen = []
    page.on("request", lambda request: seen.append(request.url) if "/notifications/badge/" in request.url else None)
    return seen


def test_the_notifications_badge_changes_live_without_a_reload(_browser, asgi_server, alice, bob, settings):
    settings.NOTIFICATIONS_POLL_SECONDS = 3600  # no poll could do it
    post = post_create(author=alice, caption="Sunset", files=[(image_upload(), "a red square")])
    alice_page = signed_in_page(_browser, asgi_server, "alice")
    alice_page.goto(f"{asgi_server.url}/alice/")
    wait_open(alice_page)
    alice_page.evaluate("window.__marker = 'no reload'")
    assert alice_page.locator("#nav-unread").count() == 0

    bob_page = signed_in_page(_browser, asgi_server, "bob")
    bob_page.goto(f"{asgi_server.url}/p/{post.pk}/")
    started = time.monotonic()
    bob_page.locator("form.like-form button").first.click()

    alice_page.locator("#nav-unread").wait_for(timeout=5_000)
    took = time.monotonic() - started
    assert alice_page.locator("#nav-unread").inner_text() == "1"
    assert took < 3, f"the badge took {took:.2f} s"
    assert alice_page.evaluate("window.__marker") == "no reload"
    assert alice_page.evaluate("window.__live.events") == [{"type": "badge", "badge": "notifications"}]
    assert alice_page.evaluate("window.__csp || []") == []  # the socket passed connect-src ('self')

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    alice_page.screenshot(path=str(SCREENSHOTS / "live-badge-1280.png"))
    phone = signed_in_page(_browser, asgi_server, "alice", width=390, height=844)
    phone.goto(f"{asgi_server.url}/alice/")
    phone.locator("#nav-unread").wait_for()
    phone.screenshot(path=str(SCREENSHOTS / "live-badge-390.png"))

    # reading the notifications clears the badge of the other open page too
    phone.goto(f"{asgi_server.url}/notifications/")
    alice_page.locator("#nav-unread").wait_for(state="detached", timeout=5_000)
    for page in (alice_page, bob_page, phone):
        page.context.close()


def wait_for_requests(page, requests, count, timeout_ms=5_000):
    for _ in range(timeout_ms // 100):
        if len(requests) >= count:
            return
        page.wait_for_timeout(100)


def test_the_badge_poll_is_held_while_the_socket_is_open(_browser, asgi_server, alice, settings):
    settings.NOTIFICATIONS_POLL_SECONDS = 1
    page = signed_in_page(_browser, asgi_server, "alice")
    requests = badge_requests(page)
    page.goto(f"{asgi_server.url}/alice/")
    wait_open(page)
    # polls may run before the socket opens, and the open refreshes the badge once: not held ones
    wait_for_requests(page, requests, 1)
    page.wait_for_timeout(300)
    requests.clear()
    page.wait_for_timeout(3_500)
    assert requests == []
    page.context.close()


def test_the_page_reconnects_after_the_server_drops_it_and_catches_up(_browser, asgi_server, alice, settings):
    settings.NOTIFICATIONS_POLL_SECONDS = 3600
    page = signed_in_page(_browser, asgi_server, "alice")
    requests = badge_requests(page)
    page.goto(f"{asgi_server.url}/alice/")
    wait_open(page)
    # the open refreshes the badge once (a change between the page's render and the open)
    wait_for_requests(page, requests, 1)
    page.wait_for_timeout(300)
    assert len(requests) == 1
    requests.clear()

    # the server drops every socket of alice's (as when the channel layer fails: code 4012)
    asgi_server.send_to_consumers([alice.pk], {"type": "live.layer_lost"})
    page.wait_for_function("() => window.__live.closes.length === 1")
    assert page.evaluate("window.__live.closes") == [4012]
    wait_open(page, opens=2)  # back within the first back-off step (0.5-1 s)
    wait_for_requests(page, requests, 1)
    page.wait_for_timeout(300)
    assert len(requests) == 1, "the badge was refetched once after the reconnect"
    page.context.close()


def test_the_badges_refresh_slowly_while_live_for_changes_whose_event_reached_no_socket(
    _browser, asgi_server, alice, bob, settings
):
    """Without Redis the task worker's events reach no socket, and the badges' polls are held while
    the socket is open: every LIVE_BADGE_POLL seconds (5 minutes; 2 s here) they refresh anyway."""
    from posts.services import like_create

    settings.NOTIFICATIONS_POLL_SECONDS = 3600
    settings.LIVE_BADGE_POLL = 2
    post = post_create(author=alice, caption="Sunset", files=[(image_upload(), "a red square")])
    page = signed_in_page(_browser, asgi_server, "alice")
    page.goto(f"{asgi_server.url}/alice/")
    wait_open(page)
    # from the test's thread: its event reaches no consumer, like a worker's without Redis
    like_create(user=bob, post_id=post.pk)
    page.locator("#nav-unread").wait_for(timeout=8_000)
    assert page.locator("#nav-unread").inner_text() == "1"
    assert page.evaluate("window.__live.events") == []  # no event did it
    assert page.evaluate("window.__live.opens") == 1
    page.context.close()


def test_other_background_polls_run_while_the_socket_is_open(_browser, asgi_server, alice, settings):
    """Only the badges' polls are held while live: the data export's progress (and the import's)
    has no event, and its page turns ready by itself."""
    from social.exports import build
    from social.models import DataExport

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # held until run below
    page = signed_in_page(_browser, asgi_server, "alice")
    page.goto(f"{asgi_server.url}/settings/download/")
    wait_open(page)
    page.get_by_role("button", name="Request a download").click()
    page.get_by_text("Waiting to start").wait_for()
    wait_open(page)  # the form's page opened its own socket
    page.evaluate("window.__marker = 'no reload'")

    build.data_export_build(export_id=DataExport.objects.get(user=alice).pk, site_url=asgi_server.url)
    page.get_by_role("link", name="Download ZIP").wait_for(timeout=10_000)
    assert page.evaluate("window.__marker") == "no reload"
    assert page.evaluate("document.body.dataset.liveState") == "open"
    page.context.close()


def test_a_logout_elsewhere_closes_the_socket_for_good(_browser, asgi_server, alice):
    page = signed_in_page(_browser, asgi_server, "alice")
    page.goto(f"{asgi_server.url}/alice/")
    wait_open(page)
    other_tab = page.context.new_page()  # same cookie, same session
    other_tab.goto(f"{asgi_server.url}/settings/")
    other_tab.locator("nav form[action='/accounts/logout/'] button").click()
    other_tab.wait_for_url("**/")
    page.wait_for_function("() => window.__live.closes.length === 1")
    assert page.evaluate("window.__live.closes") == [4401]
    page.wait_for_timeout(2_500)  # longer than the first back-off steps: it does not try again
    assert page.evaluate("document.body.dataset.liveState") == "closed"
    assert page.evaluate("window.__live.opens") == 1
    page.context.close()


def test_pages_work_and_poll_when_the_socket_is_refused(page, live_server, alice, bob, settings):
    """pytest-django's live_server speaks WSGI only: /ws/live/ is an ordinary 404, as behind a
    proxy that does not pass WebSockets. The badge still arrives, by its poll."""
    from conftest import browser_login

    settings.LIVE_UPDATES = True
    settings.NOTIFICATIONS_POLL_SECONDS = 1
    post = post_create(author=alice, caption="Sunset", files=[(image_upload(), "a red square")])
    page.add_init_script(WATCH)
    browser_login(page, live_server, "alice")
    page.goto(f"{live_server.url}/alice/")
    page.wait_for_function("() => document.body.dataset.liveState === 'closed' && window.__live.closes.length >= 1")
    from posts.services import like_create

    like_create(user=bob, post_id=post.pk)
    page.locator("#nav-unread").wait_for(timeout=10_000)
    assert page.locator("#nav-unread").inner_text() == "1"
    # and the page itself works: a link, a form
    page.click("a.nav__item[href='/notifications/']")
    page.wait_for_url("**/notifications/")
    assert page.locator("main").get_by_text("liked your post").count() >= 1
