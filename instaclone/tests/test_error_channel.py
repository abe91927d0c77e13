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


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("action", ["like", "save", "comment"])
def test_an_action_on_a_post_whose_author_then_blocks_you_shows_exactly_one_toast(page, live_server, login, action):
    """The post page stays open while its author blocks the viewer: each htmx action on it is a 404
    (the post no longer exists for them), reported once."""
    from accounts.models import User
    from accounts.services import graph
    from instaclone.testing import image_upload, make_user
    from posts.services import post_create

    alice = make_user("alice")
    make_user("bob")
    post = post_create(author=alice, caption="soon blocked", files=[(image_upload(), "a red square")])
    login(page, "bob")
    page.goto(f"{live_server.url}/p/{post.pk}/")
    graph.block_create(blocker=alice, blocked=User.objects.get(username="bob"))
    if action == "comment":
        page.locator(f"#comment-form-{post.pk} textarea").fill("hello?")
        page.locator(f"#comment-form-{post.pk} button[type=submit]").click()
    else:
        page.locator(f"form.{action}-form button").first.click()
    assert _toast_count_after_settling(page, "That is no longer available.") == 1
    assert page.url == f"{live_server.url}/p/{post.pk}/"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_double_tap_like_on_a_deleted_post_in_the_feed_shows_exactly_one_toast(page, live_server, login):
    from instaclone.testing import image_upload, make_user
    from posts.models import Post
    from posts.services import post_create
    from social.tests.factories import follow

    alice, bob = make_user("alice"), make_user("bob")
    follow(bob, alice)
    post = post_create(author=alice, caption="soon gone", files=[(image_upload(), "a red square")])
    login(page, "bob")
    Post.objects.filter(pk=post.pk).delete()
    page.locator(f"#post-{post.pk} [data-double-tap-like]").dblclick()
    assert _toast_count_after_settling(page, "That is no longer available.") == 1


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_same_failure_twice_keeps_one_toast(page, live_server, login):
    """Two taps on a post deleted meanwhile: two 404s with the same line, shown once as a toast
    while the page stays where it is."""
    from instaclone.testing import image_upload, make_user
    from posts.models import Post
    from posts.services import post_create

    alice = make_user("alice")
    make_user("bob")
    post = post_create(author=alice, caption="soon gone", files=[(image_upload(), "a red square")])
    login(page, "bob")
    page.goto(f"{live_server.url}/p/{post.pk}/")
    Post.objects.filter(pk=post.pk).delete()
    with page.expect_response(lambda r: r.url.endswith("/like/")):
        page.locator("form.like-form button").first.click()
    with page.expect_response(lambda r: r.url.endswith("/like/")):
        page.locator("form.like-form button").first.click()
    assert _toast_count_after_settling(page, "That is no longer available.") == 1
    assert page.url == f"{live_server.url}/p/{post.pk}/"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_failing_background_poll_shows_no_toast(page, live_server, login, settings):
    """The nav badge asks every few seconds on its own: while the server fails (or is away) the
    person, who did nothing, gets no toast at all, let alone one per poll."""
    from instaclone.testing import make_user

    settings.NOTIFICATIONS_POLL_SECONDS = 1
    make_user("bob")
    login(page, "bob")
    polls = []

    def fail(route):
        polls.append(route.request.url)
        if len(polls) % 2:
            route.fulfill(status=500, body="Something went wrong on our side.", headers={"HX-Trigger": '{"showToast": "x"}'})
        else:
            route.abort()

    page.route("**/notifications/badge/**", fail)
    page.goto(f"{live_server.url}/")
    page.wait_for_timeout(3500)
    assert len(polls) >= 2  # it did poll, and fail, both ways
    assert page.locator("#toasts .message").count() == 0
