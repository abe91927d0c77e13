"""Sharing a post from its page's ••• menu, in Chromium: "Copy link" puts the post's absolute URL on
the clipboard and says so in a toast; "Share…" (the Web Share API) shows only where the browser has
it; without JavaScript the menu shows the link itself."""

from __future__ import annotations

import pytest

from .factories import PostRowsFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open_menu(page):
    page.locator(".post-detail__header .post-menu summary").click()
    return page.locator(".post-detail__header .post-menu__list")


def test_copy_link_puts_the_post_url_on_the_clipboard_and_shows_a_toast(_browser, live_server, alice, bob):
    post = PostRowsFactory(author=bob, caption="sunset")
    context = _browser.new_context(viewport={"width": 1280, "height": 800})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/p/{post.pk}/")  # signed out: the menu is there too
        menu = _open_menu(page)
        assert menu.get_by_role("link", name="Link to this post").is_hidden()  # JS and a clipboard: the button instead
        menu.get_by_role("button", name="Copy link").click()
        toast = page.locator("#toasts .message", has_text="Link copied")
        toast.wait_for()
        assert toast.get_attribute("role") == "status"
        assert page.evaluate("navigator.clipboard.readText()") == f"{live_server.url}/p/{post.pk}/"
        assert not page.locator(".post-detail__header .post-menu").evaluate("d => d.open")  # the menu closed
        _open_menu(page).get_by_role("button", name="Copy link").click()  # again: app.js's one toast, shown anew
        page.wait_for_timeout(200)
        assert page.locator("#toasts .message").count() == 1
    finally:
        context.close()


def test_share_button_is_hidden_without_the_web_share_api(page, live_server, login, alice, bob):
    post = PostRowsFactory(author=bob)
    login(page, "alice")
    page.goto(f"{live_server.url}/p/{post.pk}/")
    assert page.evaluate("typeof navigator.share") == "undefined"  # headless Chromium has none
    menu = _open_menu(page)
    assert menu.get_by_role("button", name="Copy link").is_visible()
    assert menu.get_by_role("button", name="Share…").is_hidden()


def test_share_button_hands_the_post_url_to_the_web_share_api(page, live_server, login, alice, bob):
    post = PostRowsFactory(author=bob)
    page.add_init_script("navigator.share = (data) => { window.__shared = data; return Promise.resolve(); };")
    login(page, "alice")
    page.goto(f"{live_server.url}/p/{post.pk}/")
    menu = _open_menu(page)
    share = menu.get_by_role("button", name="Share…")
    assert share.is_visible()
    share.click()  # the stub records synchronously
    assert page.evaluate("window.__shared.url") == f"{live_server.url}/p/{post.pk}/"


def test_without_javascript_the_menu_shows_the_link_itself(_browser, live_server, alice, bob):
    post = PostRowsFactory(author=bob)
    context = _browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/p/{post.pk}/")
        menu = _open_menu(page)
        link = menu.get_by_role("link", name="Link to this post")
        assert link.is_visible() and link.get_attribute("href") == f"/p/{post.pk}/"
        assert menu.get_by_role("textbox", name="Post link").input_value() == f"{live_server.url}/p/{post.pk}/"
        assert menu.get_by_role("button", name="Copy link").is_hidden()
        assert menu.get_by_role("button", name="Share…").is_hidden()
    finally:
        context.close()
