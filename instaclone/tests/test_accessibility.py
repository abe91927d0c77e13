"""Accessibility, measured: axe-core (vendored, instaclone/tests/vendor/axe.min.js, 4.14.1) finds no
violation of any impact on any page of the site (the admin excepted), in light and dark, at 1280x800
and as a 390x844 phone, signed out and signed in, with real content: follows, posts of two photos and of
a video, comments, likes, mentions, a photo tag, saves, a collection, an archived post, notifications.

One test per viewport; each page is loaded once and checked in both colour schemes (the scheme is
switched with `emulate_media`, the CSS follows at once). Motion is reduced (no transition mid-check)
and fonts are loaded before each check, so contrast results are stable. The page's CSP is bypassed
only so axe can be injected (its own policy is tested in test_csp_browser.py).

On failure the message lists, per page/theme/viewport, each rule id, impact, axe's summary and the
selectors of the offending elements.

Measured on commit a0bffa8 (before issue 13; violations by rule (elements), seed_demo --users 12):

| page | 1280 light | 1280 dark | 390 light | 390 dark | rules |
|---|---|---|---|---|---|
| landing | 0 | 2 (3) | 0 | 2 (3) | color-contrast, link-in-text-block |
| login | 0 | 2 (3) | 0 | 2 (3) | color-contrast, link-in-text-block |
| signup | 0 | 2 (3) | 0 | 2 (3) | color-contrast, link-in-text-block |
| feed | 2 (13) | 3 (29) | 2 (19) | 3 (35) | link-in-text-block, link-name, page-has-heading-one |
| profile (own) | 1 (1) | 0 | 2 (7) | 1 (6) | color-contrast, link-name |
| profile (other) | 0 | 1 (1) | 1 (6) | 2 (7) | color-contrast, link-name |
| post | 2 (3) | 2 (3) | 2 (9) | 3 (12) | link-in-text-block, link-name, page-has-heading-one |
| create | 0 | 1 (1) | 1 (6) | 2 (7) | color-contrast, link-name |
| explore | 0 | 0 | 1 (6) | 1 (6) | link-name |
| search | 2 (4) | 3 (5) | 2 (10) | 3 (11) | color-contrast, link-name, page-has-heading-one |
| notifications | 1 (30) | 2 (56) | 1 (36) | 2 (62) | link-in-text-block, link-name |
| saved | 1 (1) | 0 | 2 (7) | 1 (6) | color-contrast, link-name |
| settings | 0 | 1 (4) | 1 (6) | 2 (10) | link-in-text-block, link-name |
| settings: profile | 0 | 1 (1) | 1 (6) | 2 (7) | color-contrast, link-name |
| followers | 2 (5) | 3 (7) | 2 (11) | 3 (13) | color-contrast, link-name, page-has-heading-one |

After: 0 everywhere (this test). docs/accessibility.md has the rules the fixes follow.
"""

from pathlib import Path

import pytest
from django.urls import reverse

from accounts.tests.factories import DEFAULT_PASSWORD, FollowFactory, UserFactory
from posts.models import PostMedia
from posts.services import post_create
from posts.services.archive import post_archive
from posts.services.collections import collection_add_post, collection_create
from posts.services.tags import photo_tag_add
from posts.tests.factories import (
    CommentFactory,
    LikeFactory,
    PostFactory,
    SaveFactory,
    jpeg,
    real_mp4,
    upload,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
THEMES = ("light", "dark")
# Only colour rules depend on the scheme: the second scheme runs just those (axe's slowest part anyway).
COLOUR_RULES = ["color-contrast", "link-in-text-block"]


def _open_post_menu(page):
    """The ••• menu (share, edit, archive, report) of the first post on the page."""
    page.locator("details.post-menu > summary").first.click()


def _show_toasts(page):
    """An error and a success toast (static/js/app.js, the one channel of htmx errors)."""
    page.wait_for_function("() => window.instaclone && window.instaclone.toast")
    page.evaluate("() => { instaclone.toast('Could not save. Try again.', 'error'); instaclone.toast('Link copied', 'success'); }")
    page.wait_for_selector(".toasts .message")


def _sign_in_wrongly(page):
    page.fill("input[name=login]", "alice")
    page.fill("input[name=password]", "not-the-password")
    page.click("form.form button[type=submit]")
    page.wait_for_selector(".errorlist, .field__errors, .message--error")


def _sign_up_taken(page):
    page.fill("input[name=email]", "someone@example.com")
    page.fill("input[name=username]", "alice")  # taken
    page.fill("input[name=password1]", "short")  # too short
    page.click("form.form button[type=submit]")
    page.wait_for_selector(".errorlist, .field__errors")


RUN_AXE = """rules => axe.run(document, rules ? {runOnly: {type: 'rule', values: rules}, resultTypes: ['violations']}
                                      : {resultTypes: ['violations']}).then(r => r.violations.map(v => ({
  id: v.id, impact: v.impact, help: v.help,
  nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary})),
})))"""


def _content(alice, bob, charlie):
    """Everything a page can show: alice follows bob and is followed by both; bob's two-photo post
    mentions and tags alice; a video; comments, likes, a save into a collection, an archived post."""
    FollowFactory(follower=alice, followee=bob)
    FollowFactory(follower=bob, followee=alice)
    FollowFactory(follower=charlie, followee=alice)
    carousel = PostFactory(author=bob, caption="Golden hour with @alice #sunset #travel", images=2, alt="A beach at dusk")
    photo_tag_add(author=bob, media=carousel.media.order_by("position").first(), user=alice, x=0.4, y=0.6)
    video = None
    if real_mp4():
        video = post_create(
            author=bob, caption="Waves #sunset",
            files=[(upload("clip.mp4", real_mp4(), "video/mp4"), "Waves rolling in"), (jpeg(size=(300, 300)), "The pier")],
        )
    own = PostFactory(author=alice, caption="My first #sunset", images=1, alt="Orange sky")
    archived = PostFactory(author=alice, caption="Old one", images=1, alt="A tree")
    post_archive(post=archived, by=alice)
    CommentFactory(author=charlie, post=own, body="Lovely @alice")
    CommentFactory(author=alice, post=carousel, body="Thanks @bob!")
    LikeFactory(user=bob, post=own)
    LikeFactory(user=charlie, post=own)
    SaveFactory(user=alice, post=carousel)
    collection = collection_create(owner=alice, name="Beaches")
    collection_add_post(collection=collection, by=alice, post_id=carousel.pk)
    return carousel, video, own, collection


def _authorize(page):
    """The consent page's "Authorize": an out-of-band app gets the code to copy (issue 14)."""
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_selector("#oauth-code")


def _oauth_pages(alice):
    """The consent page for a client app, its out-of-band code, and Settings → Apps with one app."""
    from urllib.parse import urlencode

    from oauth2_provider.models import get_application_model

    from instaclone.testing import api_token

    app = get_application_model().objects.create(
        name="Pocket client", website="https://pocket.example", client_type="confidential",
        authorization_grant_type="authorization-code", redirect_uris="urn:ietf:wg:oauth:2.0:oob",
        scopes="read write follow",
    )
    api_token(alice, scope="read write follow", app=app)
    consent = reverse("oauth:authorize") + "?" + urlencode({
        "response_type": "code", "client_id": app.client_id, "redirect_uri": "urn:ietf:wg:oauth:2.0:oob",
        "scope": "read write:favourites follow",
    })
    return {
        "oauth: consent": consent,
        "oauth: out-of-band code": (consent, _authorize),
        "settings: apps": reverse("accounts:apps"),
    }


def _import_pages(alice):
    """Settings → Import from Instagram with a finished import that listed two problems (the
    progress bar, counts, problems, the upload form)."""
    from django.utils import timezone

    from posts.models import ImportJob

    ImportJob.objects.create(
        owner=alice, status="done", total=4, position=4, done=2, failed=2, finished_at=timezone.now(),
        errors=[{"item": "Post of 5 May 2021 “Broken”", "reason": "broken.jpg: This file isn't a photo we can read."},
                {"item": "Post of 6 Jun 2021 “Lost one”", "reason": "gone.jpg is missing from the ZIP."}],
    )
    return {"settings: import from Instagram": reverse("imports:page")}


def _export_pages(alice):
    """Settings → Download your information with a ready archive (issue 15; the task runs at once)."""
    from social.exports.services import data_export_request

    data_export_request(user=alice, site_url="http://testserver")
    return {"settings: download your information": reverse("social:data_export")}


def _deletion_pages():
    """Delete your account (issue 15): the restore offer of a deleted account signing in, and the
    page after deleting one (signed out: run before alice signs in); the settings page and its error."""
    from accounts.services import account_deletion_request

    account_deletion_request(user=UserFactory(username="erin"))
    UserFactory(username="frank")

    def restore_offer(page):
        page.fill("input[name=login]", "erin")
        page.fill("input[name=password]", DEFAULT_PASSWORD)
        page.click("form.form button[type=submit]")
        page.wait_for_url("**/settings/restore/")

    def deleted(page):
        base = page.url.split("/accounts/")[0]  # the live server's address
        page.fill("input[name=login]", "frank")
        page.fill("input[name=password]", DEFAULT_PASSWORD)
        page.click("form.form button[type=submit]")
        page.wait_for_url(base + "/")
        page.goto(base + reverse("accounts:delete"))
        page.fill("input[name=password]", DEFAULT_PASSWORD)
        page.click("form.form button[type=submit]")
        page.wait_for_load_state("load")

    def wrong_password(page):
        page.fill("input[name=password]", "not-the-password")
        page.click("form.form button[type=submit]")
        page.wait_for_load_state("load")

    signed_out = {
        "restore offer": (reverse("account_login"), restore_offer),
        "account deleted": (reverse("account_login"), deleted),
    }
    signed_in = {
        "settings: delete account": reverse("accounts:delete"),
        "settings: delete account, wrong password": (reverse("accounts:delete"), wrong_password),
    }
    return signed_out, signed_in


def _pages(alice, bob, carousel, video, own, collection):
    signed_out = {
        "landing": "/",
        "login": reverse("account_login"),
        "sign-up": reverse("account_signup"),
        "login, wrong password": (reverse("account_login"), _sign_in_wrongly),
        "sign-up, errors": (reverse("account_signup"), _sign_up_taken),
        "password reset": reverse("account_reset_password"),
        "public profile, signed out": bob.get_absolute_url(),
        "public post, signed out": carousel.get_absolute_url(),
    }
    signed_in = {
        "feed, a card's menu open": (reverse("social:home"), _open_post_menu),
        "profile (own)": alice.get_absolute_url(),
        "profile (other)": bob.get_absolute_url(),
        "profile: tagged": reverse("tagged", args=["alice"]),
        "profile (private, not followed)": reverse("profile", args=["dana"]),
        "post (two photos), its menu open": (carousel.get_absolute_url(), _open_post_menu),
        "post (own), its menu open": (own.get_absolute_url(), _open_post_menu),
        "post: likes": reverse("posts:liked_by", args=[own.pk]),
        "post: comments": reverse("posts:comments", args=[own.pk]),
        "post: edit": reverse("posts:edit", args=[own.pk]),
        "post: delete": reverse("posts:delete_confirm", args=[own.pk]),
        "post: tag people": reverse("posts:photo_tags", args=[own.pk]),
        "post: save to": reverse("posts:save_to", args=[carousel.pk]),
        "create": reverse("posts:new"),
        "explore, with toasts": (reverse("social:explore"), _show_toasts),
        "explore: people": reverse("social:suggested"),
        "search": reverse("social:search") + "?q=b",
        "hashtag": reverse("hashtag", args=["sunset"]),
        "notifications": reverse("social:notifications"),
        "follow requests": reverse("social:follow_requests"),
        "saved": reverse("saved"),
        "collection": reverse("posts:collection", args=[collection.pk]),
        "collection: new": reverse("posts:collection_new"),
        "archive": reverse("archive"),
        "followers": reverse("followers", args=["alice"]),
        "following": reverse("following", args=["alice"]),
        "settings": reverse("accounts:settings"),
        "settings: profile": reverse("accounts:edit"),
        "settings: email": reverse("account_email"),
        "settings: password": reverse("account_change_password"),
        "settings: two-factor": reverse("mfa_index"),
        "settings: sessions": reverse("usersessions_list"),
        "settings: blocked": reverse("social:blocked"),
        "report": reverse("social:report", args=["post", carousel.pk]),
        "not found (404)": "/p/99999999/",
    }
    signed_in |= _oauth_pages(alice)
    signed_in |= _export_pages(alice)
    signed_in |= _import_pages(alice)
    deletion_signed_out, deletion_signed_in = _deletion_pages()
    signed_out |= deletion_signed_out
    signed_in |= deletion_signed_in
    if video:
        signed_in["post (video)"] = video.get_absolute_url()
    return signed_out, signed_in


def _check(page, url, where, found):
    """Load the page (and bring it to a state: `url` may be (url, prepare(page)), e.g. a menu open or a
    form with errors), then run axe in each colour scheme; record what it finds under `where`."""
    url, prepare = url if isinstance(url, tuple) else (url, None)
    page.goto(url)
    page.wait_for_load_state("load")
    if prepare:
        prepare(page)
    page.add_script_tag(path=str(AXE))
    for theme in THEMES:
        rules = None if theme == THEMES[0] else COLOUR_RULES
        page.emulate_media(color_scheme=theme, reduced_motion="reduce")
        page.evaluate("document.fonts.ready.then(() => new Promise(r => requestAnimationFrame(() => r())))")
        for violation in page.evaluate(RUN_AXE, rules):
            found.append((f"{where}, {theme} ({url})", violation))


def _report(found):
    lines = [f"{len(found)} axe-core violation(s):"]
    for where, v in found:
        lines.append(f"- {where}: {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:6]:
            lines.append(f"    {node['target']}")
        lines.append("    " + (v["nodes"][0]["summary"] or "").replace("\n", "\n    "))
        if len(v["nodes"]) > 6:
            lines.append(f"    ... and {len(v['nodes']) - 6} more")
    return "\n".join(lines)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_every_page_has_no_axe_violations_in_light_and_dark(_browser, live_server, media_root, viewport):
    alice = UserFactory(username="alice", display_name="Alice Liddell")
    bob = UserFactory(username="bob", display_name="Bob Builder", bio="Builder. #travel with @alice")
    charlie = UserFactory(username="charlie", display_name="Charlie Brown")
    UserFactory(username="dana", display_name="Dana Scully", private=True)
    carousel, video, own, collection = _content(alice, bob, charlie)
    if video:
        assert PostMedia.objects.filter(post=video, kind="video", status="ready").exists()
    signed_out, signed_in = _pages(alice, bob, carousel, video, own, collection)

    context = _browser.new_context(**VIEWPORTS[viewport], bypass_csp=True, reduced_motion="reduce")
    context.set_default_timeout(15_000)
    page = context.new_page()
    found = []
    try:
        for name, path in signed_out.items():
            url = (live_server.url + path[0], path[1]) if isinstance(path, tuple) else live_server.url + path
            _check(page, url, f"{name}, {viewport}", found)
        page.goto(live_server.url + reverse("account_login"))
        page.fill("input[name=login]", "alice")
        page.fill("input[name=password]", DEFAULT_PASSWORD)
        page.click("form.form button[type=submit]")
        page.wait_for_url(live_server.url + "/")
        for name, path in signed_in.items():
            url = (live_server.url + path[0], path[1]) if isinstance(path, tuple) else live_server.url + path
            _check(page, url, f"{name}, {viewport}", found)
    finally:
        context.close()
    assert not found, _report(found)
