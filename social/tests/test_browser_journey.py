"""Browser journey (issue 4, section 9, the social part): A makes the account private; B searches
A and requests to follow; A accepts from notifications; A posts; B sees the post in the feed; A
sees the notifications. Likes, saves and comments have their own journeys
(posts/tests/test_browser_saves_comments.py, social/tests/test_browser_feed_interactions.py)."""

import re

import pytest

from accounts.models import Follow, FollowRequest, User
from instaclone.testing import DEFAULT_PASSWORD, image_bytes
from posts.models import Post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_private_account_request_accept_post_reaches_follower_feed(
    page, _browser, live_server, login, alice, bob, tmp_path
):
    base = live_server.url

    # A makes the account private through the profile form
    login(page, "alice")
    page.goto(f"{base}/settings/profile/")
    page.check("input[name=is_private]")
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()
    assert User.objects.get(username="alice").is_private

    # B searches for A (live results as B types) and asks to follow, in place
    ctx_b = _browser.new_context(viewport={"width": 1280, "height": 900})
    ctx_b.set_default_timeout(10_000)
    page_b = ctx_b.new_page()
    page_b.goto(f"{base}/accounts/login/")
    page_b.fill("input[name=login]", "bob")
    page_b.fill("input[name=password]", DEFAULT_PASSWORD)
    page_b.click("form.form button[type=submit]")
    page_b.wait_for_url(f"{base}/")
    page_b.goto(f"{base}/search/")
    page_b.type("#search-q", "ali", delay=30)
    result = page_b.locator("#search-results .person", has_text="alice")
    result.wait_for()
    search_url = page_b.url
    result.locator("button", has_text="Follow").click()
    result.locator("button", has_text="Requested").wait_for()
    assert page_b.url == search_url  # swapped in place, no navigation
    assert FollowRequest.objects.filter(requester=bob, target=alice).exists()

    # A sees the request in notifications (badge in the nav) and accepts it inline
    page.goto(f"{base}/")
    assert page.locator("#nav-unread").inner_text().strip() == "1"
    page.click("nav a[href='/notifications/']")
    page.wait_for_url(re.compile(r".*/notifications/$"))
    row = page.locator(".notification", has_text="requested to follow you")
    row.locator("button", has_text="Confirm").click()
    page.locator(".request-actions--done", has_text="now follows you").wait_for()
    assert Follow.objects.filter(follower=bob, followee=alice).exists()

    # A posts through the create form
    photo = tmp_path / "sunrise.jpg"
    photo.write_bytes(image_bytes(size=(320, 240)))
    page.goto(f"{base}/p/new/")
    page.set_input_files("input[name=media]", str(photo))
    page.fill("textarea[name=caption]", "Sunrise for my followers")
    page.click("#new-post-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/p/\d+/$"))
    post = Post.objects.get(author=alice)

    # B sees it in the home feed, and B's own notifications say the request was accepted
    page_b.goto(f"{base}/")
    page_b.locator(f"#post-{post.pk}").wait_for()
    assert "Sunrise for my followers" in page_b.locator(f"#post-{post.pk}").inner_text()
    page_b.goto(f"{base}/notifications/")
    assert page_b.locator(".notification", has_text="accepted your follow request").count() == 1
    ctx_b.close()

    # A's notifications now read "started following you"
    page.goto(f"{base}/notifications/")
    assert page.locator(".notification", has_text="started following you").count() == 1
