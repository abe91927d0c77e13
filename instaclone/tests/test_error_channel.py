"""One client-side error channel (issue 10): a failed htmx request is reported once, as a toast fed by
`HX-Trigger: {"showToast": "<line>"}` (instaclone.views.error_response, static/js/app.js); a form with
its own error region (new post) reports there only."""

import json
import re

import pytest

HX = {"HTTP_HX_REQUEST": "true"}


def test_htmx_error_also_asks_for_a_toast_by_hx_trigger(client, db):
    """The one client-side error channel: `HX-Trigger: {"showToast": "<line>"}` (app.js), and the same
    line as the text/plain body for clients that read the body."""
    response = client.get("/p/999999/", **HX)
    assert json.loads(response["HX-Trigger"]) == {"showToast": response.content.decode()}


def _toast_count_after_settling(page, expected_text):
    toast = page.locator("#toasts .message--error")
    toast.first.wait_for()
    page.wait_for_timeout(500)  # a second toast for the same failure would have arrived by now
    assert toast.first.inner_text() == expected_text
    return toast.count()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_failed_follow_shows_exactly_one_toast(page, live_server, login):
    """The 404 carries both HX-Trigger showToast and a text/plain body: one toast, not one per channel."""
    from accounts.models import User
    from instaclone.testing import make_user

    make_user("alice")
    make_user("bob")
    login(page, "bob")
    page.goto(f"{live_server.url}/alice/")
    User.objects.filter(username="alice").update(is_active=False)
    page.locator(".profile__follow button").first.click()
    assert _toast_count_after_settling(page, "That is no longer available.") == 1


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_failed_new_post_shows_its_error_in_the_form_and_no_toast(page, live_server, login):
    """The new-post form has its own error region (posts.js): a failed upload is reported there only."""
    from instaclone.testing import image_bytes, make_user

    make_user("alice")
    login(page, "alice")
    page.route(
        re.compile(r".*/p/new/$"),
        lambda route: route.fulfill(
            status=500, content_type="text/plain; charset=utf-8", body="Something went wrong.",
            headers={"HX-Trigger": '{"showToast": "Something went wrong."}'},
        ) if route.request.method == "POST" else route.continue_(),
    )
    page.goto(f"{live_server.url}/p/new/")
    page.set_input_files(
        "input[name=media]",
        [{"name": "sun.jpg", "mimeType": "image/jpeg", "buffer": image_bytes("JPEG", (80, 60), color=(250, 200, 0))}],
    )
    page.click("button:has-text('Share')")
    page.locator("#upload-errors").get_by_text("Nothing was posted").wait_for()
    page.wait_for_timeout(500)
    assert page.locator("#toasts .message--error").count() == 0


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_proxy_error_without_hx_trigger_shows_one_toast_by_status(page, live_server, login):
    """An answer that never passed through error_response (a proxy's 502 page while the app restarts)
    carries no HX-Trigger: app.js's fallback toasts a sentence for its status, not the proxy's HTML."""
    from instaclone.testing import make_user

    make_user("alice")
    make_user("bob")
    login(page, "bob")
    page.route(
        re.compile(r".*/social/follow/alice/$"),
        lambda route: route.fulfill(status=502, content_type="text/html", body="<html><h1>502 Bad Gateway</h1></html>"),
    )
    page.goto(f"{live_server.url}/alice/")
    page.locator(".profile__follow button").first.click()
    assert _toast_count_after_settling(page, "The server can't answer right now. Please try again in a moment.") == 1
