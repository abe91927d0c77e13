"""The sign-in code page in a real browser (issue 13): "Confirm" is the primary button across the
form's full width; "Cancel" is secondary."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 390, "height": 844}])
def test_code_entry_confirm_is_full_width_and_primary(page, live_server, alice, viewport):
    page.set_viewport_size(viewport)
    page.goto(f"{live_server.url}/accounts/login/code/")
    page.fill("input[name=email]", "alice@example.com")
    with page.expect_navigation():
        page.locator("form.form button[type=submit]").first.click()
    page.get_by_text("Enter Sign-In Code").wait_for()
    form = page.locator("form.form", has=page.locator("input[name=code]"))
    confirm = form.get_by_role("button", name="Confirm")
    cancel = page.get_by_role("button", name="Cancel")
    form_box, confirm_box = form.bounding_box(), confirm.bounding_box()
    assert abs(confirm_box["width"] - form_box["width"]) <= 2
    assert "btn--primary" in confirm.get_attribute("class").split()
    assert "btn--primary" not in cancel.get_attribute("class").split()
    assert cancel.bounding_box()["y"] > confirm_box["y"]  # below the primary action
    primary_bg = confirm.evaluate("b => getComputedStyle(b).backgroundColor")
    cancel_bg = cancel.evaluate("b => getComputedStyle(b).backgroundColor")
    assert primary_bg != cancel_bg
