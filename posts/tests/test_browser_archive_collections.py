"""Browser journeys for the archive and collections (Playwright driving Debian's Chromium): archive
from the post's ••• menu, gone from the profile, restored from the Archive page; a collection
created, a feed card's post saved into it from the "Save to collection" dialog (and by a long press
on a phone, and without JavaScript), seen on the Saved page with its cover, renamed and deleted."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from accounts.tests.factories import FollowFactory
from conftest import browser_login
from posts import services
from posts.models import Collection, CollectionItem, Post, Save
from posts.tests.factories import PostFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("SCREENSHOT_DIR")  # set to save the screenshots of docs/screenshots/13/


def _shot(page, name):
    if SHOTS:
        if page.viewport_size["width"] > 400:
            page.set_viewport_size({"width": 1280, "height": 800})
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"))


def test_archive_from_the_menu_then_restore_from_the_archive_page(page, login, live_server, alice):
    kept = PostFactory(author=alice, caption="stays")
    post = PostFactory(author=alice, caption="hide me for a while")
    login(page, "alice")
    page.goto(f"{live_server.url}{post.get_absolute_url()}")
    page.locator(".post-detail__header .post-menu summary").click()
    page.get_by_role("button", name="Archive").click()
    page.wait_for_url(f"{live_server.url}/alice/")
    expect(page.get_by_text("Post archived.")).to_be_visible()
    expect(page.locator(f'.post-grid a[href="/p/{post.pk}/"]')).to_have_count(0)
    expect(page.locator(f'.post-grid a[href="/p/{kept.pk}/"]')).to_have_count(1)
    expect(page.locator(".profile__stats, .profile__header").first).to_contain_text("1 post")
    assert Post.objects.get(pk=post.pk).is_archived and User.objects.get(pk=alice.pk).post_count == 1

    page.get_by_role("link", name="Archive").first.click()
    page.wait_for_url(f"{live_server.url}/archive/")
    tile = page.locator(f"#archived-{post.pk}")
    expect(tile).to_be_visible()
    expect(page.locator(f"#archived-{kept.pk}")).to_have_count(0)
    _shot(page, "archive-1280")
    tile.get_by_role("button", name="Show on profile").click()
    page.wait_for_url(f"{live_server.url}/archive/")
    expect(page.locator(f"#archived-{post.pk}")).to_have_count(0)
    page.goto(f"{live_server.url}/alice/")
    expect(page.locator(f'.post-grid a[href="/p/{post.pk}/"]')).to_have_count(1)
    assert User.objects.get(pk=alice.pk).post_count == 2


def test_collection_create_save_from_the_feed_card_see_cover_rename_and_delete(page, login, live_server, alice, bob):
    FollowFactory(follower=alice, followee=bob)
    post = PostFactory(author=bob, caption="a beach")
    login(page, "alice")

    page.goto(f"{live_server.url}/saved/")
    page.get_by_role("link", name="New collection").click()
    page.fill("input[name=name]", "Trips")
    page.get_by_role("button", name="Create").click()
    page.wait_for_url(re.compile(r".*/p/collections/\d+/$"))
    collection = Collection.objects.get(owner=alice)
    expect(page.locator("h1")).to_have_text("Trips")

    page.goto(f"{live_server.url}/")
    card = page.locator(f"#post-{post.pk}")
    card.locator("[data-save-to]").click()
    dialog = page.locator("dialog.save-to-dialog--modal")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Save to Trips").click()
    expect(dialog.locator(".save-to-dialog__status")).to_have_text("Saved to “Trips”.")
    expect(dialog.get_by_role("button", name="Remove from Trips")).to_be_visible()
    expect(card.locator("form.save-form")).to_have_attribute("data-saved", "true")  # out of band
    assert CollectionItem.objects.filter(collection=collection, post=post).exists()
    assert Save.objects.filter(user=alice, post=post).exists()
    dialog.get_by_role("button", name="Done").click()
    expect(page.locator("dialog.save-to-dialog--modal")).to_have_count(0)

    page.goto(f"{live_server.url}/saved/")
    tile = page.locator(f"#collection-{collection.pk}")
    expect(tile.locator(".collection-tile__cover img")).to_have_count(1)
    expect(tile).to_contain_text("Trips")
    _shot(page, "collections-saved-1280")
    tile.get_by_role("link").click()
    page.wait_for_url(f"{live_server.url}/p/collections/{collection.pk}/")
    expect(page.locator(f"#collected-{post.pk}")).to_be_visible()

    page.get_by_role("link", name="Edit collection").click()
    page.fill("input[name=name]", "Journeys")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{live_server.url}/p/collections/{collection.pk}/")
    expect(page.locator("h1")).to_have_text("Journeys")

    page.get_by_role("link", name="Edit collection").click()
    page.once("dialog", lambda d: d.accept())  # hx-confirm
    page.get_by_role("button", name="Delete collection").click()
    page.wait_for_url(f"{live_server.url}/saved/")
    expect(page.locator(".collection-tile")).to_have_count(1)  # "All posts" only
    expect(page.locator(f"#saved-{post.pk}")).to_be_visible()  # still saved
    assert not Collection.objects.exists() and Save.objects.filter(user=alice, post=post).exists()


def test_a_long_press_on_the_save_button_opens_save_to_collection_on_a_phone(_browser, live_server, alice, bob):
    FollowFactory(follower=alice, followee=bob)
    post = PostFactory(author=bob, caption="long press me")
    services.collection_create(owner=alice, name="Food")
    context = _browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    try:
        page = context.new_page()
        browser_login(page, live_server, "alice")
        button = page.locator(f"#post-{post.pk} form.save-form button")
        button.scroll_into_view_if_needed()
        box = button.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.move(x, y)
        page.mouse.down()
        page.wait_for_timeout(800)
        page.mouse.up()
        dialog = page.locator("dialog.save-to-dialog--modal")
        expect(dialog).to_be_visible()
        assert not Save.objects.filter(user=alice, post=post).exists()  # the press did not toggle the save
        _shot(page, "save-to-390")
        dialog.get_by_role("button", name="Save to Food").click()
        expect(dialog.locator(".save-to-dialog__status")).to_have_text("Saved to “Food”.")
        assert CollectionItem.objects.filter(collection__name="Food", post=post).exists()
        # a short tap still just saves or unsaves
        dialog.get_by_role("button", name="Done").click()
        page.locator(f"#post-{post.pk} form.save-form button").tap()
        expect(page.locator(f"#post-{post.pk} form.save-form")).to_have_attribute("data-saved", "false")
        assert not CollectionItem.objects.exists()  # unsaving left the collection too
    finally:
        context.close()


def test_save_to_collection_without_javascript(_browser, live_server, alice, bob):
    FollowFactory(follower=alice, followee=bob)
    post = PostFactory(author=bob, caption="no js")
    context = _browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    try:
        page = context.new_page()
        browser_login(page, live_server, "alice")
        page.locator(f"#post-{post.pk} [data-save-to]").click()
        page.wait_for_url(f"{live_server.url}/p/{post.pk}/collections/")
        page.fill("input[name=name]", "Later")
        page.get_by_role("button", name="New collection").click()
        page.wait_for_url(re.compile(rf".*/#post-{post.pk}$"))
        expect(page.get_by_text("Saved to “Later”.")).to_be_visible()
        assert CollectionItem.objects.filter(collection__name="Later", post=post).exists()
    finally:
        context.close()
