"""The Content-Security-Policy in a real browser (issue 9 item 11): the main pages and their
interactions (like, report dialog open/cancel/Esc, block with its confirmation, comments loaded by
htmx, the TOTP QR code, the admin) run without a single CSP violation."""

import pytest

from accounts.models import Block
from instaclone.testing import DEFAULT_PASSWORD, image_upload, make_user
from posts.models import Like
from posts.services import post_create

WATCH = """
document.addEventListener("securitypolicyviolation", function (e) {
  window.cspViolation([e.violatedDirective, e.blockedURI, e.sourceFile + ":" + e.lineNumber, document.location.pathname].join(" "));
});
"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_main_pages_and_interactions_cause_no_csp_violation(page, browser_context, live_server, login, media_root):
    alice = make_user("alice")
    make_user("bob")
    make_user("root", is_staff=True, is_superuser=True)
    post = post_create(author=alice, caption="Sunset #sunset", files=[(image_upload(), "a red square")])
    base = live_server.url

    violations, console = [], []
    browser_context.expose_function("cspViolation", lambda text: violations.append(text))
    browser_context.add_init_script(WATCH)
    page.on("console", lambda msg: console.append(msg.text) if msg.type in ("error", "warning") else None)
    page.on("pageerror", lambda exc: console.append(str(exc)))

    def visit(path):
        response = page.goto(base + path)
        assert "Content-Security-Policy" in response.headers or "content-security-policy" in response.headers
        page.wait_for_load_state("networkidle")

    login(page, "bob")
    # feed and a post: like it (htmx swap), comments load by htmx on page load
    visit(f"/p/{post.pk}/")
    page.locator("form.like-form button").first.click()
    page.locator('form.like-form[data-liked="true"]').first.wait_for()
    assert Like.objects.filter(post=post).count() == 1
    page.locator(".comments, #comments").first.wait_for()

    # report dialog: open, Cancel; open again, Esc
    page.click(".post-menu summary")
    page.click("a.menu-report")
    dialog = page.locator("dialog.report-dialog--modal")
    dialog.wait_for()
    assert dialog.evaluate("d => d.open")
    dialog.get_by_role("button", name="Cancel").click()
    page.locator("dialog").wait_for(state="detached")
    if not page.locator(".post-menu[open]").count():
        page.click(".post-menu summary")
    page.click("a.menu-report")
    page.locator("dialog.report-dialog--modal").wait_for()
    page.keyboard.press("Escape")
    page.locator("dialog").wait_for(state="detached")

    # block: Cancel in the confirmation keeps everything; OK blocks
    visit("/alice/")
    page.click(".profile__menu summary")
    page.once("dialog", lambda d: d.dismiss())
    page.get_by_role("button", name="Block @alice").click()
    page.wait_for_timeout(300)
    assert not Block.objects.exists()
    messages = []
    page.once("dialog", lambda d: (messages.append(d.message), d.accept()))
    with page.expect_navigation():
        page.get_by_role("button", name="Block @alice").click()
    assert Block.objects.filter(blocker__username="bob", blocked__username="alice").exists()
    assert messages and "Block alice?" in messages[0]

    for path in ("/", "/explore/", "/search/?q=sun", "/notifications/", "/p/new/", "/settings/",
                 "/settings/profile/", "/explore/tags/sunset/", "/no-such-page/x/y/"):
        visit(path)

    # the TOTP QR code is a data: image (allowed by img-src)
    visit("/accounts/2fa/totp/activate/")
    if "reauthenticate" in page.url:
        page.fill("input[name=password]", DEFAULT_PASSWORD)
        page.click("main form button[type=submit]")
        page.wait_for_load_state("networkidle")
    assert page.locator('img[src^="data:"]').count() >= 1

    # the admin, as a superuser (own context: own cookies)
    page.context.clear_cookies()
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", "root")
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")
    for path in ("/admin/posts/post/", f"/admin/posts/post/{post.pk}/change/", "/admin/accounts/user/"):
        visit(path)

    assert violations == []
    assert not [line for line in console if "Content Security Policy" in line or "Refused to" in line], console
