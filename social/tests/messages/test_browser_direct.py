"""Direct messages in a real browser (Chromium through Playwright, the site on pytest-django's live
server: WSGI, so no live socket here — social/tests/live/ drives the live updates; these pages catch
up on load). Flows: a message request accepted and answered, a named group of three, a photo, a
post shared from its menu, a message deleted and one reported, and the pages without JavaScript.
axe-core finds nothing on the inbox, requests and a conversation (light and dark, 1280 and 390
wide), and the screenshots of docs/screenshots/16/direct-*.png are taken here."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.tests.factories import DEFAULT_PASSWORD, FollowFactory, UserFactory
from posts.models import Post, Story
from posts.services import post_create
from posts.tests.factories import jpeg
from social.messages import services
from social.messages.models import Conversation, Message, Participant
from social.models import Report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[3]
SHOTS = ROOT / "docs" / "screenshots" / "16"
AXE = ROOT / "instaclone" / "tests" / "vendor" / "axe.min.js"
THREAD_URL = re.compile(r"/direct/t/\d+/(#latest)?$")
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
RUN_AXE = """rules => axe.run(document, rules ? {runOnly: {type: 'rule', values: rules}, resultTypes: ['violations']}
                                      : {resultTypes: ['violations']}).then(r => r.violations.map(v => ({
  id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 6),
})))"""


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.wait_for_load_state("networkidle")


@pytest.fixture
def person_page(_browser, live_server):
    """`person_page(username, **context options)`: a page of a new browser context signed in as them."""
    contexts = []

    def _open(username, **options):
        context = _browser.new_context(**({"viewport": {"width": 1280, "height": 900}} | options))
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        sign_in(page, live_server, username)
        return page

    yield _open
    for context in contexts:
        context.close()


def _message_list_texts(page):
    return page.locator("#message-list li[data-message-id] .dm__bubble").all_inner_texts()


# --- flows ---------------------------------------------------------------------------------------


def test_alice_messages_bob_it_lands_in_his_requests_he_accepts_and_replies(live_server, person_page, alice, bob):
    page = person_page("alice")
    page.goto(f"{live_server.url}/direct/new/")
    page.fill("#people-q", "bo")  # htmx refreshes the people as she types
    page.locator("#people input[value=bob]").check()
    page.fill("#new-text", "Hi Bob, loved your photos!")
    page.get_by_role("button", name="Send").click()
    page.wait_for_url(THREAD_URL)
    assert _message_list_texts(page) == ["Hi Bob, loved your photos!"]
    conversation = Conversation.objects.get()
    assert Participant.objects.get(conversation=conversation, user=bob).state == "request"

    bob_page = person_page("bob")
    bob_page.goto(f"{live_server.url}/direct/")
    assert "Requests (1)" in bob_page.locator(".direct-tabs").inner_text()
    bob_page.get_by_role("link", name="Requests").click()
    bob_page.locator(f"#thread-{conversation.pk} a").click()
    assert "alice wants to send you a message" in bob_page.locator(".dm-request").inner_text()
    bob_page.get_by_role("button", name="Accept").click()
    bob_page.wait_for_selector("#message-form")
    bob_page.fill("#message-form textarea[name=text]", "Thanks Alice!")
    bob_page.keyboard.press("Enter")  # Enter sends (direct.js); htmx appends it without a reload
    bob_page.wait_for_function("() => document.querySelectorAll('#message-list li[data-message-id]').length === 2")
    assert _message_list_texts(bob_page)[-1] == "Thanks Alice!"
    assert bob_page.locator("#message-form textarea").input_value() == ""
    bob_page.fill("#message-form textarea[name=text]", "line one")
    bob_page.keyboard.press("Shift+Enter")
    bob_page.keyboard.type("line two")
    assert bob_page.locator("#message-form textarea").input_value() == "line one\nline two"

    page.reload()
    assert _message_list_texts(page) == ["Hi Bob, loved your photos!", "Thanks Alice!"]
    assert Participant.objects.get(conversation=conversation, user=bob).state == "inbox"


def test_a_group_of_three_with_a_name(live_server, person_page, alice, bob, charlie):
    FollowFactory(follower=bob, followee=alice)
    page = person_page("alice")
    page.goto(f"{live_server.url}/direct/new/?q=b")
    page.locator("#people input[value=bob]").check()
    page.fill("#people-q", "charlie")
    page.wait_for_selector("#people input[value=charlie]")
    assert page.locator("#people input[value=bob]").is_checked()  # chosen people stay chosen
    page.locator("#people input[value=charlie]").check()
    page.fill("#group-name", "Weekend hike")
    page.fill("#new-text", "Saturday at 9?")
    page.get_by_role("button", name="Send").click()
    page.wait_for_url(THREAD_URL)
    assert page.locator("#thread-title").inner_text() == "Weekend hike"
    bob_page = person_page("bob")
    bob_page.goto(f"{live_server.url}/direct/")
    thread = bob_page.locator(".thread").first
    assert "Weekend hike" in thread.inner_text() and "alice: Saturday at 9?" in thread.inner_text()
    assert "thread--unread" in thread.get_attribute("class")
    assert bob_page.locator("#nav-direct-badge .badge").inner_text() == "1"


def test_a_photo_message(live_server, person_page, alice, bob, tmp_path):
    conversation, _ = services.conversation_create(sender=alice, recipients=[bob], text="look")
    photo = tmp_path / "beach.jpg"
    photo.write_bytes(jpeg("beach.jpg", size=(800, 600), color=(30, 120, 200)).read())
    page = person_page("alice")
    page.goto(f"{live_server.url}/direct/t/{conversation.pk}/")
    page.set_input_files("#message-form input[name=photo]", str(photo))  # choosing a photo sends it
    page.wait_for_selector("#message-list .dm-photo__img")
    loaded = page.wait_for_function("() => { const i = document.querySelector('.dm-photo__img'); return i && i.complete && i.naturalWidth > 0 && i.naturalWidth; }")
    assert loaded.json_value() == 800
    assert Message.objects.filter(kind="photo").count() == 1


def test_sharing_a_post_from_its_menu(live_server, person_page, alice, bob, charlie):
    FollowFactory(follower=alice, followee=bob)
    FollowFactory(follower=charlie, followee=bob)
    post = post_create(author=bob, caption="Sunset at the pier", files=[(jpeg("s.jpg", size=(400, 400)), "A pier")])
    services.conversation_create(sender=alice, recipients=[charlie], text="hey")
    page = person_page("alice")
    page.goto(f"{live_server.url}{post.get_absolute_url()}")
    page.locator("details.post-menu > summary").first.click()
    page.get_by_role("link", name="Send in Direct").click()
    page.wait_for_url("**/direct/share/*/")
    page.get_by_label("charlie").check()
    page.fill("#share-text", "you'd like this")
    page.get_by_role("button", name="Send").click()
    page.wait_for_url(f"**{post.get_absolute_url()}")
    assert "Sent" in page.locator("#messages").inner_text()
    charlie_page = person_page("charlie")
    conversation = Conversation.objects.get()
    charlie_page.goto(f"{live_server.url}/direct/t/{conversation.pk}/")
    card = charlie_page.locator(".dm-post")
    assert "Sunset at the pier" in card.inner_text() and card.get_attribute("href") == post.get_absolute_url()


def test_delete_a_message_for_everyone(live_server, person_page, alice, bob):
    conversation, first = services.conversation_create(sender=alice, recipients=[bob], text="keep this")
    oops = services.message_send(sender=alice, conversation=conversation, text="oops, wrong chat")
    page = person_page("alice")
    page.goto(f"{live_server.url}/direct/t/{conversation.pk}/")
    item = page.locator(f"li[data-message-id='{oops.pk}']")
    item.hover()
    item.locator("summary").click()
    page.once("dialog", lambda dialog: dialog.accept())  # hx-confirm
    item.get_by_role("button", name="Delete for everyone").click()
    page.wait_for_selector(f"li[data-message-id='{oops.pk}']", state="detached")
    assert _message_list_texts(page) == ["keep this"]
    assert Message.objects.get(pk=oops.pk).deleted_at is not None


def test_report_a_message(live_server, person_page, alice, bob):
    FollowFactory(follower=bob, followee=alice)
    conversation, _ = services.conversation_create(sender=alice, recipients=[bob], text="hello")
    nasty = services.message_send(sender=alice, conversation=conversation, text="you will regret this")
    page = person_page("bob")
    page.goto(f"{live_server.url}/direct/t/{conversation.pk}/")
    item = page.locator(f"li[data-message-id='{nasty.pk}']")
    item.hover()
    item.locator("summary").click()
    item.get_by_role("link", name="Report").click()
    dialog = page.locator("dialog.report-dialog--modal")
    dialog.get_by_label("Bullying or harassment").check()
    dialog.get_by_role("button", name="Send report").click()
    page.wait_for_selector(".report-confirmation")
    report = Report.objects.get()
    assert report.message_id == nasty.pk and [e["text"] for e in report.context] == ["hello", "you will regret this"]


def test_the_pages_without_javascript(live_server, person_page, alice, bob):
    conversation, _ = services.conversation_create(sender=alice, recipients=[bob], text="no js here")
    page = person_page("bob", java_script_enabled=False)
    page.goto(f"{live_server.url}/direct/requests/")
    page.locator(f"#thread-{conversation.pk} a").click()
    page.get_by_role("button", name="Accept").click()
    page.wait_for_url(re.compile(rf"/direct/t/{conversation.pk}/(#latest)?$"))
    page.fill("#message-form textarea[name=text]", "replied with a plain form")
    page.get_by_role("button", name="Send").click()
    page.wait_for_url(re.compile(rf"/direct/t/{conversation.pk}/(#latest)?$"))
    assert _message_list_texts(page) == ["no js here", "replied with a plain form"]
    services.message_send(sender=alice, conversation=conversation, text="and another")
    page.get_by_role("link", name="Refresh").click()
    assert _message_list_texts(page)[-1] == "and another"
    # the newest message is in view without any script (a reversed scroller opens at its end)
    assert page.locator("#message-list li[data-message-id]").last.is_visible()
    page.goto(f"{live_server.url}/direct/new/")
    page.fill("#people-q", "ali")
    page.get_by_role("button", name="Search").click()
    assert page.locator("#people input[value=alice]").count() == 1


# --- accessibility and screenshots ------------------------------------------------------------------


def _story(author):
    file = "stories/demo.jpg"
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    name = default_storage.save(file, ContentFile(jpeg("st.jpg", size=(360, 640), color=(240, 150, 60)).read()))
    return Story.objects.create(author=author, file=name, width=360, height=640, expires_at=timezone.now() + timedelta(hours=20))


def _world():
    alice = UserFactory(username="alice", display_name="Alice Liddell")
    bob = UserFactory(username="bob", display_name="Bob Builder")
    charlie = UserFactory(username="charlie", display_name="Charlie Brown")
    dora = UserFactory(username="dora", display_name="Dora Marquez")
    for a, b in ((alice, bob), (bob, alice), (charlie, alice), (alice, charlie)):
        FollowFactory(follower=a, followee=b)
    post = post_create(author=bob, caption="Golden hour at the pier #sunset", files=[(jpeg("p.jpg", size=(600, 600), color=(220, 120, 40)), "Pier")])
    one, _ = services.conversation_create(sender=bob, recipients=[alice], text="Are you coming to the beach on Saturday?")
    services.message_send(sender=alice, conversation=one, text="Yes! What time?")
    services.message_send(sender=bob, conversation=one, text="Around 5, for the sunset 🌅")
    services.message_send(sender=bob, conversation=one, post_id=post.pk, text="Like last time")
    services.message_send(sender=alice, conversation=one, photo=jpeg("b.jpg", size=(800, 600), color=(40, 140, 210)))
    services.story_reply(sender=alice, story_id=_story(bob).pk, text="This looks amazing")
    services.message_send(sender=alice, conversation=one, text="See you there. I'll bring snacks, a blanket and the good speaker — it's going to be a long evening.")
    services.conversation_seen(user=bob, conversation_id=one.pk)
    group, _ = services.conversation_create(sender=charlie, recipients=[alice, bob], name="Book club", text="Next book: Piranesi?")
    services.message_send(sender=bob, conversation=group, text="Yes, finally")
    services.conversation_create(sender=dora, recipients=[alice], text="Hi! I saw your post about the pier — is it open in winter?")
    return alice, one, group


def _axe(page, where, found):
    page.add_script_tag(path=str(AXE))
    for theme, rules in (("light", None), ("dark", ["color-contrast", "link-in-text-block"])):
        page.emulate_media(color_scheme=theme, reduced_motion="reduce")
        page.evaluate("document.fonts.ready.then(() => new Promise(r => requestAnimationFrame(() => r())))")
        found += [(f"{where}, {theme}", v) for v in page.evaluate(RUN_AXE, rules)]


@pytest.mark.parametrize("width", [1280, 390])
def test_inbox_requests_and_conversation_have_no_axe_violations_and_screenshots(_browser, live_server, media_root, width):
    alice, one, group = _world()
    options = PHONE if width == 390 else {"viewport": {"width": 1280, "height": 860}}
    context = _browser.new_context(**options, bypass_csp=True, reduced_motion="reduce")  # CSP bypassed only to inject axe
    context.set_default_timeout(15_000)
    page = context.new_page()
    found = []
    try:
        sign_in(page, live_server, "alice")
        SHOTS.mkdir(parents=True, exist_ok=True)
        pages = {
            "inbox": "/direct/",
            "requests": "/direct/requests/",
            "conversation": f"/direct/t/{one.pk}/",
            "group": f"/direct/t/{group.pk}/",
            "new": "/direct/new/?q=b&to=charlie",
            "details": f"/direct/t/{group.pk}/details/",
            "share": f"/direct/share/{Post.objects.order_by('pk').first().pk}/?q=d",
        }
        for name, path in pages.items():
            page.goto(live_server.url + path)
            page.wait_for_load_state("networkidle")
            page.emulate_media(color_scheme="light", reduced_motion="reduce")
            # the images on screen (a lazy one in a hidden list never loads: at most 3 s)
            page.evaluate("""() => Promise.race([new Promise(r => setTimeout(r, 3000)), Promise.all(Array.from(document.images)
                .map(i => i.complete ? 0 : new Promise(r => { i.onload = i.onerror = r; })))])""")
            page.screenshot(path=str(SHOTS / f"direct-{name}-{width}.png"))
            _axe(page, f"{name} at {width}", found)
        # a message's menu open, and the report dialog
        page.goto(f"{live_server.url}/direct/t/{one.pk}/")
        theirs = page.locator("li.dm:not(.dm--mine)").first
        theirs.hover()
        theirs.locator("summary").click()
        _axe(page, f"conversation, a message's menu open, at {width}", found)
    finally:
        context.close()
    assert not found, "\n".join(f"- {where}: {v['id']} ({v['impact']}): {v['help']} {v['nodes']}" for where, v in found)
