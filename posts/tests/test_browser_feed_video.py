"""Video in the feed (posts/_card.html, static/js/posts.js): muted autoplay while at least half on
screen, paused once scrolled away, a sound button that unmutes, a play button while paused, the
poster first; with prefers-reduced-motion nothing plays by itself; without JS, native controls."""

import pytest
from playwright.sync_api import expect

from posts.models import PostMedia
from posts.services import post_create

from .factories import jpeg, real_mp4, upload

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(real_mp4() is None, reason="ffmpeg not installed"),
]


def _feed_with_a_video_below_the_fold(alice):
    video_post = post_create(author=alice, caption="clip", files=[(upload("clip.mp4", real_mp4(), "video/mp4"), "A blue clip")])
    assert PostMedia.objects.get(post=video_post).status == PostMedia.Status.READY  # transcoded (immediate tasks)
    for i in range(3):  # newer photo posts above it
        post_create(author=alice, caption=f"photo {i}", files=[(jpeg(size=(400, 400)), "")])
    return video_post


def _paused(video):
    return video.evaluate("v => v.paused")


def test_feed_video_plays_muted_on_screen_and_pauses_when_scrolled_away(page, live_server, login, alice, media_root):
    post = _feed_with_a_video_below_the_fold(alice)
    login(page, "alice")
    video = page.locator(f"#post-{post.pk} video")
    assert video.get_attribute("poster")  # the poster first
    assert video.get_attribute("preload") == "none"
    assert video.evaluate("v => v.controls") is False  # JS took over the controls
    page.wait_for_timeout(400)
    assert _paused(video)  # off screen: not playing

    video.scroll_into_view_if_needed()
    page.wait_for_function("v => !v.paused && v.currentTime > 0", arg=video.element_handle())
    assert video.evaluate("v => v.muted") is True
    sound = page.locator(f"#post-{post.pk} [data-video-sound]")
    expect(sound).to_have_attribute("aria-label", "Unmute")
    expect(page.locator(f"#post-{post.pk} [data-video-play]")).to_be_hidden()

    video.click()  # a tap on the video unmutes it, as on Instagram
    assert video.evaluate("v => v.muted") is False
    expect(sound).to_have_attribute("aria-label", "Mute")
    sound.click()  # and the button mutes it again
    assert video.evaluate("v => v.muted") is True
    expect(sound).to_have_attribute("aria-label", "Unmute")
    sound.click()
    assert video.evaluate("v => v.muted") is False

    page.evaluate("window.scrollTo(0, 0)")  # scrolled away: paused, the play icon shows
    page.wait_for_function("v => v.paused", arg=video.element_handle())
    assert page.locator(f"#post-{post.pk} [data-video-play]").get_attribute("hidden") is None

    video.scroll_into_view_if_needed()  # back on screen: it plays again
    page.wait_for_function("v => !v.paused", arg=video.element_handle())


def test_reduced_motion_means_no_autoplay_and_a_play_button(page, live_server, login, alice, media_root):
    post = _feed_with_a_video_below_the_fold(alice)
    page.emulate_media(reduced_motion="reduce")
    login(page, "alice")
    video = page.locator(f"#post-{post.pk} video")
    video.scroll_into_view_if_needed()
    page.wait_for_timeout(800)
    assert _paused(video)
    play = page.locator(f"#post-{post.pk} [data-video-play]")
    expect(play).to_be_visible()
    expect(play).to_have_attribute("aria-label", "Play")
    play.click()  # the person chooses to play it
    page.wait_for_function("v => !v.paused", arg=video.element_handle())
    expect(play).to_be_hidden()


def test_without_javascript_the_feed_video_has_native_controls(_browser, live_server, alice, media_root):
    from conftest import browser_login

    post = _feed_with_a_video_below_the_fold(alice)
    context = _browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    try:
        page = context.new_page()
        browser_login(page, live_server, "alice")
        video = page.locator(f"#post-{post.pk} video")
        assert video.get_attribute("controls") is not None
        assert video.get_attribute("aria-label") == "A blue clip"
    finally:
        context.close()
