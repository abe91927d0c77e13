"""Browser journeys for people and notifications (Playwright driving Debian's Chromium): grouped
notifications with thumbnails and "Follow back", the nav badge that updates without a reload,
counts that change in place, the unfollow confirmation, blocking from a profile, "Suggested for
you" beside the feed, the end of the feed, and explore's infinite scroll."""

from __future__ import annotations

import re

import pytest

from accounts.models import Block, Follow
from accounts.tests.factories import UserFactory
from posts import services as posts_services
from posts.tests.factories import PostFactory, PostRowsFactory
from social.tests.factories import follow, make_private

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _text(locator) -> str:
    return " ".join(locator.inner_text().split())


def test_grouped_notification_with_thumbnail_and_follow_back(page, login, live_server, alice, bob):
    post = PostFactory(author=alice)
    for i in range(4):
        posts_services.like_create(user=UserFactory(username=f"fan{i}"), post_id=post.pk)
    follow(bob, alice)
    login(page, "alice")
    page.goto(f"{live_server.url}/notifications/")
    likes = page.locator(".notification[data-kind=like]")
    assert likes.count() == 1
    assert "fan3 and 3 others liked your post." in _text(likes)
    thumb = likes.locator(".notification__thumb img")
    assert thumb.get_attribute("src") and thumb.evaluate("img => img.complete && img.naturalWidth > 0")
    row = page.locator(".notification[data-kind=follow]")
    row.get_by_role("button", name="Follow back").click()
    page.wait_for_selector(".notification[data-kind=follow] button[data-state=following]")
    assert Follow.objects.filter(follower=alice, followee=bob).exists()
    assert page.url == f"{live_server.url}/notifications/"


def test_the_nav_badge_updates_without_a_reload(page, login, live_server, alice, bob, settings):
    settings.NOTIFICATIONS_POLL_SECONDS = 1
    post = PostFactory(author=alice)
    login(page, "alice")
    page.goto(f"{live_server.url}/")
    page.evaluate("window.__marker = 'still here'")
    assert page.locator("#nav-unread").count() == 0
    posts_services.like_create(user=bob, post_id=post.pk)  # someone else, elsewhere
    page.wait_for_selector("#nav-unread", timeout=8000)
    assert page.locator("#nav-unread").first.inner_text() == "1"
    assert page.evaluate("window.__marker") == "still here"
    page.goto(f"{live_server.url}/notifications/")  # seen: the badge drops
    assert page.locator("#nav-unread").count() == 0


def test_follow_on_a_profile_updates_its_counts_in_place(page, login, live_server, alice, bob):
    login(page, "alice")
    page.goto(f"{live_server.url}/bob/")
    page.evaluate("window.__marker = 'still here'")
    counts = page.locator("#profile-counts")
    assert "0 followers" in _text(counts)
    page.locator(".profile__follow").get_by_role("button", name="Follow").click()
    page.wait_for_function("() => document.querySelector('#profile-counts').innerText.includes('1 follower')")
    page.locator(".profile__follow").get_by_role("button", name="Following").click()
    page.wait_for_function("() => document.querySelector('#profile-counts').innerText.includes('0 followers')")
    assert page.evaluate("window.__marker") == "still here"


def test_unfollowing_a_private_account_asks_first(page, login, live_server, alice, bob):
    make_private(bob)
    follow(alice, bob)
    PostFactory(author=bob)
    login(page, "alice")
    page.goto(f"{live_server.url}/bob/")
    questions = []

    def answer(dialog, accept):
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda d: answer(d, False))
    page.locator(".profile__follow").get_by_role("button", name="Following").click()
    page.wait_for_timeout(300)
    assert questions and "Unfollow @bob?" in questions[0]
    assert Follow.objects.filter(follower=alice, followee=bob).exists()  # dismissed: still following
    page.once("dialog", lambda d: answer(d, True))
    page.locator(".profile__follow").get_by_role("button", name="Following").click()
    page.wait_for_selector("text=This account is private")  # reloaded in the private state
    assert not Follow.objects.filter(follower=alice, followee=bob).exists()


def test_unfollow_confirmation_page_without_javascript(_browser, live_server, alice, bob):
    from conftest import browser_login

    make_private(bob)
    follow(alice, bob)
    context = _browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        browser_login(page, live_server, "alice")
        page.goto(f"{live_server.url}/bob/")
        page.locator(".profile__follow").get_by_role("button", name="Following").click()
        page.wait_for_selector("h1:has-text('Unfollow @bob?')")
        assert Follow.objects.filter(follower=alice, followee=bob).exists()
        page.get_by_role("button", name="Unfollow").click()
        page.wait_for_url(f"{live_server.url}/bob/")
        assert not Follow.objects.filter(follower=alice, followee=bob).exists()
    finally:
        context.close()


def test_blocking_keeps_you_on_the_profile_in_the_blocked_state(page, login, live_server, alice, bob):
    login(page, "alice")
    page.goto(f"{live_server.url}/bob/")
    page.once("dialog", lambda d: d.accept())
    page.locator(".profile__menu summary").click()
    page.get_by_role("button", name="Block @bob").click()
    page.wait_for_selector("text=You blocked @bob")
    assert page.url == f"{live_server.url}/bob/"
    assert Block.objects.filter(blocker=alice, blocked=bob).exists()
    page.get_by_role("button", name="Unblock").click()
    page.wait_for_selector("#profile-counts")
    assert page.url == f"{live_server.url}/bob/" and not Block.objects.exists()


def test_suggestions_beside_the_feed_and_follow_from_there(page, login, live_server, alice, bob, charlie):
    follow(alice, bob)
    follow(bob, charlie)
    PostFactory(author=bob)
    login(page, "alice")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/")
    aside = page.locator(".home__aside")
    aside.locator(".suggestions").wait_for()
    assert aside.is_visible()
    box, feed = aside.bounding_box(), page.locator(".feed").bounding_box()
    assert box["x"] > feed["x"] + feed["width"] - 1  # a column to the right of the feed
    row = aside.locator(f"#suggested-aside-{charlie.pk}")
    row.get_by_role("button", name="Follow").click()
    row.locator("button[data-state=following]").wait_for()
    assert Follow.objects.filter(follower=alice, followee=charlie).exists()


def test_no_side_column_on_a_phone(_browser, live_server, alice, bob):
    from conftest import browser_login

    follow(alice, bob)
    PostFactory(author=bob)
    context = _browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page = context.new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url) if "place=aside" in r.url else None)
    try:
        browser_login(page, live_server, "alice")
        page.goto(f"{live_server.url}/")
        page.wait_for_timeout(500)
        assert not page.locator(".home__aside").is_visible()
        assert requests == []  # never fetched
    finally:
        context.close()


def test_the_end_of_the_feed_says_you_are_all_caught_up(page, login, live_server, alice, bob, charlie):
    follow(alice, bob)
    follow(bob, charlie)
    PostFactory(author=bob)
    login(page, "alice")
    page.goto(f"{live_server.url}/")
    end = page.locator("#feed-end")
    end.scroll_into_view_if_needed()
    assert "You're all caught up" in _text(end)
    end.locator(".suggestions").wait_for()  # and suggestions below it
    assert end.locator(f"#suggested-end-{charlie.pk}").count() == 1


def test_explore_scrolls_past_thirty_posts(page, login, live_server, alice):
    authors = [UserFactory() for _ in range(3)]
    for i in range(45):
        PostRowsFactory(author=authors[i % 3], like_count=i % 7)
    login(page, "alice")
    page.goto(f"{live_server.url}/explore/")
    tiles = page.locator(".post-grid .tile")
    assert tiles.count() == 30
    page.locator(".post-grid__more").scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelectorAll('.post-grid .tile').length === 45")
    assert page.locator(".post-grid__more").count() == 0
    assert re.search(r"/explore/$", page.url)


def test_accepting_requests_and_removing_a_follower_drop_the_counts_in_place(page, login, live_server, alice, bob, charlie):
    from accounts.services import graph

    make_private(alice)
    graph.follow_create(follower=bob, followee=alice)
    graph.follow_create(follower=charlie, followee=alice)
    login(page, "alice")
    page.goto(f"{live_server.url}/notifications/requests/")
    count = page.locator("#follow-requests-count")
    assert count.inner_text() == "2"
    page.locator(f"#request-{bob.pk}").get_by_role("button", name="Confirm").click()
    page.wait_for_function("() => document.querySelector('#follow-requests-count').innerText === '1'")
    page.locator(f"#request-{charlie.pk}").get_by_role("button", name="Delete").click()
    page.wait_for_function("() => document.querySelector('#follow-requests-count').hidden")
    # bob now follows alice: removing him drops her followers' count on the followers page
    page.goto(f"{live_server.url}/alice/followers/")
    assert page.locator("#followers-count").inner_text() == "1"
    page.once("dialog", lambda d: d.accept())
    page.locator(f"#person-{bob.pk}").get_by_role("button", name="Remove").click()
    page.wait_for_function("() => document.querySelector('#followers-count').innerText === '0'")
    assert page.locator(f"#person-{bob.pk}").count() == 0


def test_the_badge_poll_is_a_background_request_and_waits_while_the_tab_is_hidden(page, login, live_server, alice, settings):
    settings.NOTIFICATIONS_POLL_SECONDS = 1
    login(page, "alice")
    polls = []
    page.on("request", lambda r: "/notifications/badge" in r.url and polls.append(r.headers.get("x-background")))
    page.goto(f"{live_server.url}/")
    page.wait_for_timeout(2500)
    assert polls and set(polls) == {"1"}  # not activity for the session's idle timeout
    page.evaluate("Object.defineProperty(document, 'visibilityState', {value: 'hidden', configurable: true})")
    page.wait_for_timeout(300)
    polls.clear()
    page.wait_for_timeout(3000)
    assert polls == []  # a hidden tab does not ask
    page.evaluate("Object.defineProperty(document, 'visibilityState', {value: 'visible', configurable: true})")
    page.wait_for_timeout(2500)
    assert polls
