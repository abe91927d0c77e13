"""In a real browser: an avatar stored on (fake) ImageKit is shown from its ImageKit URL and loads;
an outage shows the error on the form."""

import pytest

from instaclone.testing import image_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_avatar_uploaded_to_imagekit_loads_from_its_imagekit_url(page, live_server, login, alice, fake_imagekit):
    login(page, "alice")
    page.goto(f"{live_server.url}/settings/profile/")

    page.set_input_files(
        "input[name=avatar_upload]",
        {"name": "me.png", "mimeType": "image/png", "buffer": image_bytes("PNG", (200, 200), color=(10, 120, 200))},
    )
    page.click("form.form button[type=submit]")
    page.wait_for_selector("text=Profile saved.")

    alice.refresh_from_db()
    avatar = page.locator("img.avatar--lg")
    # signed (ik-s, no expiry: avatars are public), so it also loads with "Restrict unsigned URLs" on
    assert avatar.get_attribute("src").startswith(f"{fake_imagekit.url_endpoint}/instaclone-test/{alice.avatar}?ik-s=")
    fake_imagekit.restrict_unsigned = True
    page.reload()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=avatar.element_handle())

    fake_imagekit.outage()
    page.set_input_files(
        "input[name=avatar_upload]", {"name": "two.png", "mimeType": "image/png", "buffer": image_bytes("PNG")}
    )
    page.click("form.form button[type=submit]")
    error = page.locator(".field__errors")
    error.wait_for()
    assert "The image service is having problems" in error.inner_text()
    avatar_before = alice.avatar
    alice.refresh_from_db()
    assert alice.avatar == avatar_before
