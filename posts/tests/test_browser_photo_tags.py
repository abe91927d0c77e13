"""Tagging people in a photo, in a real browser: alice taps a spot of her photo and picks bob; bob
is notified, finds the post on his Tagged tab, taps to show the tags and removes himself."""

import re

import pytest
from playwright.sync_api import expect

from posts.models import PhotoTag

from .factories import PostFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _phone(_browser):
    context = _browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    context.set_default_timeout(10_000)
    return context


def test_alice_tags_bob_at_a_spot_and_bob_removes_himself(page, _browser, live_server, login, alice, bob, media_root):
    post = PostFactory(author=alice, caption="At the beach")

    # Alice: post page -> ••• -> Tag people; tap a spot, search "bo", pick bob.
    login(page, "alice")
    page.goto(f"{live_server.url}/p/{post.pk}/")
    page.click(".post-menu summary")
    page.click(".post-menu >> text=Tag people")
    page.wait_for_url(re.compile(rf"/p/{post.pk}/tags/$"))
    photo = page.locator("[data-tag-photo] img")
    box = photo.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.75)
    assert abs(float(page.input_value("input[name=x]")) - 25) < 1
    assert abs(float(page.input_value("input[name=y]")) - 75) < 1
    expect(page.locator("[data-tag-marker]")).to_be_visible()
    expect(page.locator("input[name=q]")).to_be_focused()  # the tap moved on to choosing a person
    page.locator("input[name=q]").press_sequentially("bo")
    choice = page.locator("#tag-people-results button[value=bob]")
    expect(choice).to_be_visible()
    choice.click()
    page.wait_for_url(re.compile(rf"/p/{post.pk}/tags/\d+/$"))
    expect(page.locator(".tag-people__tagged")).to_contain_text("bob")
    tag = PhotoTag.objects.get()
    assert (tag.user_id, round(tag.x, 2), round(tag.y, 2)) == (bob.pk, 0.25, 0.75)

    # Bob, on a phone: notified, finds it on his Tagged tab, taps to show the tags.
    phone = _phone(_browser)
    bob_page = phone.new_page()
    login(bob_page, "bob")
    bob_page.goto(f"{live_server.url}/notifications/")
    expect(bob_page.locator('.notification[data-kind="photo_tag"]')).to_contain_text("alice tagged you in a post")
    bob_page.goto(f"{live_server.url}/bob/tagged/")
    bob_page.locator(f'.post-grid a.tile[href="/p/{post.pk}/"]').tap()
    bob_page.wait_for_url(f"{live_server.url}/p/{post.pk}/")
    label = bob_page.locator(".photo-tags__tag", has_text="bob")
    expect(label).to_be_hidden()
    bob_page.locator(".photo-tags__toggle").tap()
    expect(label).to_be_visible()
    slide = bob_page.locator(".carousel__slide").first.bounding_box()
    at = label.bounding_box()
    # the label's arrow points at the spot: centred on 25% across, just below 75% down
    assert abs((at["x"] + at["width"] / 2) - (slide["x"] + slide["width"] * 0.25)) < 6
    assert abs(at["y"] - (slide["y"] + slide["height"] * 0.75)) < 12
    expect(label.locator("a")).to_have_attribute("href", "/bob/")
    bob_page.locator(".photo-tags__toggle").tap()  # and hides them again
    expect(label).to_be_hidden()

    # "Remove me from this post"
    bob_page.locator(".post-menu summary").tap()
    bob_page.locator(".post-menu >> text=Remove me from this post").tap()
    bob_page.wait_for_url(f"{live_server.url}/p/{post.pk}/")
    expect(bob_page.get_by_text("You removed yourself from this post.")).to_be_visible()
    expect(bob_page.locator("[data-photo-tags]")).to_have_count(0)
    assert not PhotoTag.objects.exists()
    bob_page.goto(f"{live_server.url}/bob/tagged/")
    expect(bob_page.locator(".post-grid a.tile")).to_have_count(0)
    bob_page.goto(f"{live_server.url}/notifications/")
    expect(bob_page.locator('.notification[data-kind="photo_tag"]')).to_have_count(0)
    phone.close()


def test_tagging_works_without_javascript(_browser, live_server, login, alice, bob, media_root):
    post = PostFactory(author=alice)
    context = _browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    context.set_default_timeout(10_000)
    page = context.new_page()
    login(page, "alice")
    page.goto(f"{live_server.url}/p/{post.pk}/tags/")
    page.fill("input[name=x]", "10")
    page.fill("input[name=y]", "20")
    page.fill("input[name=q]", "bob")
    page.press("input[name=q]", "Enter")  # the form's first submit button: Tag
    expect(page.locator(".tag-people__tagged")).to_contain_text("bob")
    page.goto(f"{live_server.url}/p/{post.pk}/")
    page.click(".photo-tags__toggle")  # <details>: the names show as a list over the photo
    expect(page.locator(".photo-tags__tag a")).to_have_text("bob")
    context.close()
    assert PhotoTag.objects.get().x == 0.1
