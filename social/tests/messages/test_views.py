"""Direct's pages (social.messages.views): the flows with and without htmx, and every 4xx a person can
provoke (not a member, someone else's message, bad ids, hostile input, oversize text, a bad photo,
the rate limit), each in the site's layout (or a toast line for htmx)."""

from __future__ import annotations

import json
from html import unescape

import pytest
from django.urls import reverse

from accounts.models import Block
from accounts.tests.factories import BlockFactory, UserFactory, make_private
from posts.tests.factories import PostFactory, jpeg, upload
from social.messages import services
from social.messages.models import Conversation, Message, Participant
from social.models import Report

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def url(name, *args):
    return reverse(f"direct:{name}", args=args)


def html(response):
    """The page's text with entities decoded (the templates escape what they show)."""
    return unescape(response.content.decode())


def toast(response):
    return json.loads(response["HX-Trigger"])["showToast"]


def assert_error_page(response, status, text):
    assert response.status_code == status
    body = html(response)
    assert '<main id="main"' in body and text in body  # the site's layout, with the reason


# --- signed out ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name,args", [("inbox", ()), ("requests", ()), ("new", ()), ("conversation", (1,)), ("after", (1,))])
def test_signed_out_people_are_sent_to_sign_in(client, name, args):
    response = client.get(url(name, *args))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get(url(name, *args), **HX)["HX-Redirect"].startswith("/accounts/login/")


def test_the_badge_signed_out_stops_polling(client):
    assert client.get(url("badge")).status_code == 286


# --- inbox, requests, nav badge ---------------------------------------------------------------------


def test_inbox_shows_threads_with_unread_marks_and_the_nav_badge(alice, bob, follows, client_of):
    follows(bob, alice)
    services.conversation_create(sender=alice, recipients=[bob], text="hello bob")
    client = client_of(bob)
    body = html(client.get(url("inbox")))
    assert "thread--unread" in body and "hello bob" in body and "Unread" in body
    assert 'id="nav-direct-badge"' in body and 'aria-label="1 unread conversation"' in body
    badge = html(client.get(url("badge")))
    assert badge.startswith('<span class="nav__badge-poll" id="nav-direct-badge"') and ">1<" in badge


def test_requests_page_lists_requests_with_a_count(alice, bob, client_of):
    services.conversation_create(sender=alice, recipients=[bob], text="hi from a stranger")
    client = client_of(bob)
    inbox = html(client.get(url("inbox")))
    assert "hi from a stranger" not in inbox and 'id="requests-count">(1)' in inbox
    assert "hi from a stranger" in html(client.get(url("requests")))


def test_inbox_more_with_htmx_is_the_page_partial_and_a_bad_cursor_is_400(alice, client_of, follows):
    for person in UserFactory.create_batch(21):
        follows(alice, person)
        services.conversation_create(sender=person, recipients=[alice], text=f"hi from {person.username}")
    client = client_of(alice)
    body = html(client.get(url("inbox")))
    cursor = body.split('?cursor=')[1].split('"')[0]
    more = client.get(url("inbox") + f"?cursor={cursor}", **HX)
    assert more.status_code == 200 and "<html" not in html(more) and html(more).count('<li class="thread') == 1
    assert client.get(url("inbox") + "?cursor=not-ours").status_code == 400


# --- a conversation ---------------------------------------------------------------------------------


def test_the_conversation_page_keeps_the_live_markup_contract(alice, bob, follows, client_of):
    follows(bob, alice)
    conversation, message = services.conversation_create(sender=alice, recipients=[bob], text="hi")
    body = html(client_of(bob).get(url("conversation", conversation.pk)))
    assert f'id="message-list" data-conversation="{conversation.pk}"' in body
    assert f'data-message-id="{message.pk}"' in body
    assert '<form class="composer" id="message-form"' in body and '<textarea name="text"' in body
    assert "Refresh</a>" in body


def test_opening_a_conversation_marks_it_seen(alice, bob, follows, client_of, published):
    follows(bob, alice)
    conversation, message = services.conversation_create(sender=alice, recipients=[bob], text="hi")
    published.clear()
    client_of(bob).get(url("conversation", conversation.pk))
    assert Participant.objects.get(user=bob, conversation=conversation).last_read_id == message.pk
    assert ([alice.pk], {"type": "seen", "conversation": conversation.pk, "user": bob.pk, "message": message.pk}) in published
    body = html(client_of(alice).get(url("conversation", conversation.pk)))
    assert '<p class="dm-seen" id="seen-status" aria-live="polite">Seen</p>' in body


def test_a_request_is_shown_with_accept_delete_block_and_not_marked_seen(alice, bob, client_of):
    conversation, _ = services.conversation_create(sender=alice, recipients=[bob], text="hi")
    body = html(client_of(bob).get(url("conversation", conversation.pk)))
    assert "wants to send you a message" in body and 'id="message-form"' not in body
    assert all(f'action="{url(n, conversation.pk)}"' in body for n in ("accept", "decline", "block"))
    assert Participant.objects.get(user=bob, conversation=conversation).last_read_id == 0


@pytest.mark.parametrize("method,name", [("get", "conversation"), ("get", "after"), ("get", "details"), ("get", "seen"),
                                          ("post", "send"), ("post", "seen"), ("post", "accept"), ("post", "decline"),
                                          ("post", "block"), ("post", "leave"), ("post", "rename"), ("get", "add")])
def test_a_non_member_gets_404_everywhere(alice, bob, charlie, client_of, method, name):
    conversation, _ = services.conversation_create(sender=alice, recipients=[bob], text="private")
    client = client_of(charlie)
    response = getattr(client, method)(url(name, conversation.pk) + ("?after=0" if name == "after" else ""), {"text": "x"} if method == "post" else None)
    assert_error_page(response, 404, "Page not found")
    assert "private" not in html(response)


def test_a_conversation_that_does_not_exist_is_404_and_huge_ids_too(alice_client):
    assert alice_client.get("/direct/t/999999/").status_code == 404
    assert alice_client.get(f"/direct/t/{2**70}/").status_code == 404
    assert alice_client.get("/direct/t/abc/").status_code == 404


@pytest.mark.parametrize("after", ["abc", "-1", "1.5", "", "9" * 40, "１"])
def test_the_catch_up_refuses_a_bad_after_with_400(alice, bob, client_of, after):
    conversation, _ = services.conversation_create(sender=alice, recipients=[bob], text="hi")
    response = client_of(alice).get(url("after", conversation.pk), {"after": after})
    assert response.status_code == 400


def test_the_catch_up_returns_the_newer_messages_as_the_pages_partials(alice, bob, follows, client_of):
    follows(bob, alice)
    conversation, first = services.conversation_create(sender=alice, recipients=[bob], text="one")
    second = services.message_send(sender=alice, conversation=conversation, text="two")
    body = html(client_of(bob).get(url("after", conversation.pk), {"after": first.pk}))
    assert f'data-message-id="{second.pk}"' in body and f'data-message-id="{first.pk}"' not in body
    assert body.lstrip().startswith("<li") and "<html" not in body


def test_older_messages_page_back_with_and_without_htmx(alice, bob, follows, client_of):
    follows(bob, alice)
    conversation, _ = services.conversation_create(sender=alice, recipients=[bob], text="m0")
    for i in range(1, 35):
        services.message_send(sender=alice, conversation=conversation, text=f"m{i}")
    client = client_of(bob)
    body = html(client.get(url("conversation", conversation.pk)))
    assert ">m34<" in body and ">m5<" in body and ">m4<" not in body and "Older messages" in body
    cursor = body.split("?cursor=")[1].split('"')[0]
    older = html(client.get(url("conversation", conversation.pk) + f"?cursor={cursor}", **HX))
    assert ">m4<" in older and ">m0<" in older and "<html" not in older and "Older messages" not in older
    plain = html(client.get(url("conversation", conversation.pk) + f"?cursor={cursor}"))
    assert ">m0<" in plain and "Back to the latest messages" in plain


def test_sending_with_htmx_answers_the_new_message_and_without_js_redirects(alice, bob, follows, client_of):
    follows(bob, alice)
    conversation, _ = services.conversation_create(sender=alice, recipients=[bob], text="hi")
    client = client_of(bob)
    response = client.post(url("send", conversation.pk), {"text": "hello <b>alice</b>"}, **HX)
    message = Message.objects.latest("pk")
    assert response.status_code == 200 and html(response).lstrip().startswith(f'<li class="dm dm--mine" id="message-{message.pk}"')
    assert "hello &lt;b&gt;alice&lt;/b&gt;" in response.content.decode()  # escaped
    plain = client.post(url("send", conversation.pk), {"text": "again"})
    assert plain.status_code == 302 and plain["Location"] == url("conversation", conversation.pk) + "#latest"


def test_oversize_text_is_a_clear_message_on_the_page_and_a_toast_for_htmx(alice, bob, client_of):
    conversation, _ = services.conversation_create(sender=alice, recipients=[bob], text="hi")
    client = client_of(alice)
    response = client.post(url("send", conversation.pk), {"text": "x" * 2500})
    assert response.status_code == 400 and "at most 2,000 characters (this one has 2,500)" in html(response)
    assert 'id="message-form"' in html(response)
    htmx = client.post(url("send", conversation.pk), {"text": "x" * 2500}, **HX)
    assert htmx.status_code == 400 and "at most 2,000 characters" in toast(htmx)
    empty = client.post(url("send", conversation.pk), {"text": "   "}, **HX)
    assert empty.status_code == 400 and toast(empty) == "Write a message."
    nul = client.post(url("send", conversation.pk), {"text": "a\x00b"})
    assert nul.status_code == 400 and "Null characters are not allowed." in html(nul)
    assert Message.objects.count() == 1


def test_a_photo_is_sent_and_a_bad_one_gets_a_clear_message(alice, bob, client_of, media_root):
    conversation, _ = services.conversation_create(sender=alice, recipients=[bob], text="hi")
    client = client_of(alice)
    client.post(url("send", conversation.pk), {"photo": jpeg("p.jpg", size=(200, 100))})
    photo = Message.objects.latest("pk")
    assert photo.kind == "photo" and photo.file.startswith("direct/")
    bad = client.post(url("send", conversation.pk), {"photo": upload("x.jpg", b"<html>hi</html>", "image/jpeg")})
    assert bad.status_code == 400 and "isn't a photo" in html(bad)
    empty = client.post(url("send", conversation.pk), {"photo": upload("x.jpg", b"", "image/jpeg")})
    assert empty.status_code == 400 and "empty" in html(empty)
    assert Message.objects.count() == 2


def test_a_direct_photo_is_served_only_through_a_signed_url(alice, bob, charlie, follows, client_of):
    follows(bob, alice)
    conversation, _ = services.conversation_create(sender=alice, recipients=[bob], photo=jpeg())
    body = html(client_of(bob).get(url("conversation", conversation.pk)))
    photo = Message.objects.get()
    signed = body.split(f'/media/{photo.file}?')[1].split('"')[0].replace("&amp;", "&")
    assert client_of(bob).get(f"/media/{photo.file}?{signed}").status_code == 200
    assert client_of(charlie).get(f"/media/{photo.file}").status_code == 404  # unsigned: as if it did not exist


def test_blocked_pair_cannot_send_and_the_page_says_why(alice, bob, follows, client_of):
    follows(bob, alice)
    conversation, _ = services.conversation_create(sender=alice, recipients=[bob], text="hi")
    BlockFactory(blocker=bob, blocked=alice)
    alice_page = html(client_of(alice).get(url("conversation", conversation.pk)))
    assert "You can't message this account." in alice_page and 'id="message-form"' not in alice_page
    assert ">hi<" in alice_page  # history stays readable
    bob_page = html(client_of(bob).get(url("conversation", conversation.pk)))
    assert "You blocked alice. Unblock them to send messages." in bob_page and "Unblock</button>" in bob_page
    refused = client_of(alice).post(url("send", conversation.pk), {"text": "hello?"})
    assert_error_page(refused, 403, "You can't message this account.")
    htmx = client_of(bob).post(url("send", conversation.pk), {"text": "hello?"}, **HX)
    assert htmx.status_code == 403 and toast(htmx) == "You can't message this account."


# --- deleting and reporting ------------------------------------------------------------------------


def test_you_delete_your_own_message_and_not_someone_elses(alice, bob, charlie, follows, client_of):
    follows(bob, alice)
    conversation, message = services.conversation_create(sender=alice, recipients=[bob], text="mine")
    bob_delete = client_of(bob).post(url("delete", message.pk))
    assert_error_page(bob_delete, 403, "You can only delete your own messages.")
    assert client_of(charlie).post(url("delete", message.pk)).status_code == 404
    assert client_of(alice).post(url("delete", 987654)).status_code == 404
    assert client_of(alice).get(url("delete", message.pk)).status_code == 405
    response = client_of(alice).post(url("delete", message.pk), **HX)
    assert response.status_code == 200 and html(response) == ""
    assert Message.objects.get(pk=message.pk).deleted_at is not None
    assert client_of(alice).post(url("delete", message.pk)).status_code == 404  # gone


def test_reporting_a_message_stores_the_context_the_reporter_could_see(alice, bob, charlie, follows, client_of):
    follows(bob, alice)
    conversation, _ = services.conversation_create(sender=alice, recipients=[bob], text="hello")
    services.message_send(sender=bob, conversation=conversation, text="hi")
    bad = services.message_send(sender=alice, conversation=conversation, text="something nasty")
    report_url = reverse("social:report", args=["message", bad.pk])
    page = html(client_of(bob).get(report_url))
    assert "Why are you reporting alice's message “something nasty”?" in page
    response = client_of(bob).post(report_url, {"reason": "harassment"})
    assert response.status_code == 200 and "Your report was sent" in html(response)
    report = Report.objects.get()
    assert report.message_id == bad.pk and report.reporter == bob
    assert [e["text"] for e in report.context] == ["hello", "hi", "something nasty"]
    assert client_of(charlie).get(report_url).status_code == 404  # not a member
    own = client_of(alice).post(report_url, {"reason": "spam"})
    assert own.status_code == 400 and "You can't report yourself" in html(own)


# --- new conversations, groups, requests --------------------------------------------------------------------


def test_new_message_page_finds_people_and_starts_a_conversation(alice, bob, client_of):
    client = client_of(alice)
    found = html(client.get(url("new"), {"q": "bo"}))
    assert 'value="bob"' in found
    partial = html(client.get(url("new"), {"q": "bo"}, **HX))
    assert partial.lstrip().startswith('<div class="direct-new__people" id="people">')
    response = client.post(url("new"), {"to": ["bob"], "text": "hi bob"})
    conversation = Conversation.objects.get()
    assert response.status_code == 302 and response["Location"] == url("conversation", conversation.pk) + "#latest"
    # a profile's "Message" link opens the existing one-to-one
    assert client.get(url("new"), {"to": "BOB"})["Location"] == url("conversation", conversation.pk)


def test_new_message_refusals_stay_on_the_form(alice, bob, client_of):
    client = client_of(alice)
    nobody = client.post(url("new"), {"text": "hi"})
    assert nobody.status_code == 400 and "Choose who to send it to." in html(nobody)
    unknown = client.post(url("new"), {"to": ["nobody-here"], "text": "hi"})
    assert unknown.status_code == 400 and "We couldn't find nobody-here." in html(unknown)
    empty = client.post(url("new"), {"to": ["bob"], "text": ""})
    assert empty.status_code == 400 and "Write a message." in html(empty) and 'value="bob" checked' in html(empty)
    BlockFactory(blocker=bob, blocked=alice)
    blocked = client.post(url("new"), {"to": ["bob"], "text": "hi"})
    assert blocked.status_code == 400  # bob is not found for alice any more
    assert not Conversation.objects.exists()


def test_the_rate_limit_is_a_429_in_the_sites_layout_and_a_toast_for_htmx(alice, client_of, settings):
    settings.DIRECT_NEW_CONVERSATION_RATE = "1/h"
    people = UserFactory.create_batch(3)
    client = client_of(alice)
    client.post(url("new"), {"to": [people[0].username], "text": "1"})
    response = client.post(url("new"), {"to": [people[1].username], "text": "2"})
    assert_error_page(response, 429, "You've started a lot of new conversations lately")
    htmx = client.post(url("new"), {"to": [people[2].username], "text": "3"}, **HX)
    assert htmx.status_code == 429 and "new conversations" in toast(htmx)
    assert Conversation.objects.count() == 1


def test_a_group_of_three_with_a_name_rename_add_and_leave(alice, bob, charlie, dora, follows, client_of):
    follows(bob, alice)
    follows(charlie, alice)
    client = client_of(alice)
    client.post(url("new"), {"to": ["bob", "charlie"], "name": "Weekend", "text": "plans?"})
    group = Conversation.objects.get(is_group=True)
    assert group.name == "Weekend"
    assert "Weekend" in html(client_of(bob).get(url("inbox")))
    client_of(bob).post(url("rename", group.pk), {"name": "Weekend trip"})
    assert Conversation.objects.get(pk=group.pk).name == "Weekend trip"
    too_long = client_of(bob).post(url("rename", group.pk), {"name": "x" * 61})
    assert_error_page(too_long, 400, "at most 60 characters")
    add_page = html(client_of(alice).get(url("add", group.pk), {"q": "do"}))
    assert 'value="dora"' in add_page
    client_of(alice).post(url("add", group.pk), {"to": ["dora"]})
    assert Participant.objects.get(conversation=group, user=dora).state == "request"
    details = html(client_of(alice).get(url("details", group.pk)))
    assert "dora" in details and "Hasn't accepted yet" in details
    client_of(charlie).post(url("leave", group.pk))
    assert client_of(charlie).get(url("conversation", group.pk)).status_code == 404


def test_request_accept_delete_and_block_pages(alice, bob, charlie, client_of):
    one, _ = services.conversation_create(sender=alice, recipients=[bob], text="hi")
    two, _ = services.conversation_create(sender=charlie, recipients=[bob], text="buy followers now")
    client = client_of(bob)
    assert client.post(url("accept", one.pk))["Location"] == url("conversation", one.pk) + "#latest"
    assert Participant.objects.get(conversation=one, user=bob).state == "inbox"
    client.post(url("block", two.pk))
    assert Block.objects.filter(blocker=bob, blocked=charlie).exists()
    assert "buy followers now" not in html(client.get(url("requests")))
    three, _ = services.conversation_create(sender=UserFactory(), recipients=[bob], text="ad")
    assert client.post(url("decline", three.pk), **HX)["HX-Redirect"] == url("requests")


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_state_changes_refuse_other_methods(alice, bob, client_of, method):
    conversation, _ = services.conversation_create(sender=alice, recipients=[bob], text="hi")
    assert getattr(client_of(alice), method)(url("send", conversation.pk)).status_code == 405


# --- sharing a post, replying to a story -----------------------------------------------------------------


def test_sharing_a_post_shows_a_card_only_to_who_may_see_it(alice, bob, charlie, follows, client_of):
    make_private(alice)
    follows(bob, alice)
    post = PostFactory(author=alice, caption="secret sunset")
    client = client_of(bob)
    page = html(client.get(url("share", post.pk), {"q": "char"}))
    assert 'value="charlie"' in page
    response = client.post(url("share", post.pk), {"to": ["charlie"], "text": "look", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    conversation = Conversation.objects.get()
    services.request_accept(user=charlie, conversation_id=conversation.pk)
    charlie_page = html(client_of(charlie).get(url("conversation", conversation.pk)))
    assert "This post is unavailable" in charlie_page and "secret sunset" not in charlie_page and ">look<" in charlie_page
    bob_page = html(client_of(bob).get(url("conversation", conversation.pk)))
    assert "secret sunset" in bob_page and post.get_absolute_url() in bob_page


def test_sharing_a_post_you_cannot_see_is_404_and_nobody_chosen_is_400(alice, bob, client_of):
    make_private(alice)
    post = PostFactory(author=alice)
    assert client_of(bob).get(url("share", post.pk)).status_code == 404
    visible = PostFactory(author=bob)
    response = client_of(bob).post(url("share", visible.pk), {"text": "x"})
    assert response.status_code == 400 and "Choose who to send it to." in html(response)


def test_the_post_card_menu_links_to_send_in_direct(alice, bob, client_of):
    post = PostFactory(author=bob)
    body = html(client_of(alice).get(post.get_absolute_url()))
    assert f'href="{url("share", post.pk)}"' in body


def _story(author):
    from datetime import timedelta

    from django.utils import timezone

    from posts.models import Story

    return Story.objects.create(author=author, file="stories/x.jpg", width=9, height=16,
                                expires_at=timezone.now() + timedelta(hours=24))


def test_story_reply_contract(alice, bob, client_of):
    story = _story(bob)
    client = client_of(alice)
    htmx = client.post(url("story_reply", story.pk), {"text": "love it"}, **HX)
    assert htmx.status_code == 204 and json.loads(htmx["HX-Trigger"]) == {"directToast": "Sent"}
    conversation = Conversation.objects.get()
    plain = client.post(url("story_reply", story.pk), {"text": "again"})
    assert plain["Location"] == url("conversation", conversation.pk) + "#latest"
    page = html(client_of(alice).get(url("conversation", conversation.pk)))
    assert "Replied to bob's story" in page and "love it" in page
    own = client_of(bob).post(url("story_reply", story.pk), {"text": "me"}, **HX)
    assert own.status_code == 400 and toast(own) == "You can't reply to your own story."
    assert client.post(url("story_reply", 99999), {"text": "x"}).status_code == 404
    assert client.get(url("story_reply", story.pk)).status_code == 405


def test_a_profile_has_a_message_button_for_others_only(alice, bob, client_of):
    client = client_of(alice)
    assert f'href="{url("new")}?to=bob">Message</a>' in html(client.get("/bob/"))
    assert ">Message</a>" not in html(client.get("/alice/"))


@pytest.mark.parametrize("count", [1, 10])
def test_the_conversation_page_queries_do_not_grow_with_messages(alice, bob, follows, client_of, django_assert_num_queries, count):
    follows(bob, alice)
    conversation, _ = services.conversation_create(sender=alice, recipients=[bob], text="0")
    for i in range(1, count):
        services.message_send(sender=alice if i % 2 else bob, conversation=conversation, text=str(i))
    client = client_of(bob)
    client.get(url("conversation", conversation.pk))  # seen already: the page below writes nothing
    client.get("/")  # the notifications badge cached
    with django_assert_num_queries(8):
        # 1. the session, 2. the user (auth), 3. bob's membership (participant_get), 4. the members,
        # 5. a page of messages with senders, 6. the inbox beside it, 7. its members, 8. the requests
        # count (seen already: no write; both nav badges cached)
        response = client.get(url("conversation", conversation.pk))
    assert response.status_code == 200 and html(response).count("data-message-id=") == count



def test_sharing_to_someone_twice_sends_once_and_a_refusal_sends_to_no_one(alice, bob, charlie, dora, follows, client_of):
    follows(bob, alice)
    post = PostFactory(author=charlie)
    group, _ = services.conversation_create(sender=alice, recipients=[bob, charlie], text="g")  # sent to first
    one, _ = services.conversation_create(sender=alice, recipients=[bob], text="hi")
    client = client_of(alice)
    client.post(url("share", post.pk), {"c": [one.pk], "to": ["bob"]})
    assert Message.objects.filter(kind="post").count() == 1
    with_dora, _ = services.conversation_create(sender=alice, recipients=[dora], text="hey")
    BlockFactory(blocker=dora, blocked=alice)
    refused = client.post(url("share", post.pk), {"c": [group.pk, with_dora.pk]})
    assert refused.status_code == 403 and "You can't message this account." in html(refused)
    assert Message.objects.filter(kind="post").count() == 1  # not even to the group


@pytest.mark.parametrize("count", [1, 12])
def test_the_inbox_page_queries_do_not_grow_with_threads(alice, client_of, follows, django_assert_num_queries, count):
    for person in UserFactory.create_batch(count):
        follows(alice, person)
        services.conversation_create(sender=person, recipients=[alice], text="hi")
    client = client_of(alice)
    client.get(url("inbox"))  # both nav badges cached
    with django_assert_num_queries(5):
        # 1. the session, 2. the user, 3. a page of threads (their conversations and last messages
        # joined), 4. their members, 5. the requests count
        response = client.get(url("inbox"))
    assert html(response).count('<li class="thread') == count


# --- hostile and odd input: NUL in a search, names that are not there, the catch-up's limit ---------


def test_a_nul_in_the_people_search_is_taken_out_everywhere(alice, bob, charlie, follows, client_of):
    abby = UserFactory(username="abby")
    follows(bob, alice)
    follows(charlie, alice)
    group, _ = services.conversation_create(sender=alice, recipients=[bob, charlie], text="g")
    post = PostFactory(author=bob)
    client = client_of(alice)
    for path in (url("new"), url("add", group.pk), url("share", post.pk)):
        response = client.get(path + "?q=a%00b")
        assert response.status_code == 200, path
        assert f'value="{abby.username}"' in html(response), path  # searched for "ab"
        assert client.get(path + "?q=a%00b", **HX).status_code == 200


def test_a_nul_in_a_name_asked_for_finds_nobody(alice, client_of):
    client = client_of(alice)
    assert client.get(url("new") + "?to=a%00b").status_code == 200
    response = client.post(url("new"), {"to": ["a\x00b"], "text": "hi"})
    assert response.status_code == 400 and not Conversation.objects.exists()


def test_your_own_name_among_the_recipients_is_left_out_before_the_group_limit(alice, client_of):
    people = UserFactory.create_batch(31)
    client = client_of(alice)
    response = client.post(url("new"), {"to": ["ALICE"] + [p.username for p in people], "text": "hi"})
    assert response.status_code == 302
    group = Conversation.objects.get()
    assert group.is_group and group.participants.count() == 32


def test_more_people_than_a_group_holds_is_refused_not_cut(alice, client_of):
    people = UserFactory.create_batch(32)
    response = client_of(alice).post(url("new"), {"to": ["alice"] + [p.username for p in people], "text": "hi"})
    assert response.status_code == 400 and "A group can have at most 32 people, you included." in html(response)
    assert not Conversation.objects.exists()


def test_a_name_that_is_not_found_refuses_the_whole_send(alice, bob, charlie, client_of):
    client = client_of(alice)
    response = client.post(url("new"), {"to": ["bob", "nosuchperson"], "text": "hi group"})
    assert response.status_code == 400 and "We couldn't find nosuchperson." in html(response)
    BlockFactory(blocker=charlie, blocked=alice)  # someone alice may not see reads the same
    response = client.post(url("new"), {"to": ["bob", "charlie"], "text": "hi group"})
    assert response.status_code == 400 and "We couldn't find charlie." in html(response)
    assert not Conversation.objects.exists()


def test_adding_a_name_that_is_not_found_or_too_many_is_refused(alice, bob, charlie, follows, client_of, settings):
    follows(bob, alice)
    follows(charlie, alice)
    group, _ = services.conversation_create(sender=alice, recipients=[bob, charlie], text="g")
    client = client_of(alice)
    response = client.post(url("add", group.pk), {"to": ["nosuchperson"]})
    assert response.status_code == 400 and "We couldn't find nosuchperson." in html(response)
    settings.DIRECT_GROUP_MAX = 4
    response = client.post(url("add", group.pk), {"to": [u.username for u in UserFactory.create_batch(4)]})
    assert response.status_code == 400 and "at most 4 people" in html(response)
    assert group.participants.count() == 3


def test_sharing_to_a_name_that_is_not_found_sends_nothing(alice, bob, client_of):
    post = PostFactory(author=bob)
    response = client_of(alice).post(url("share", post.pk), {"to": ["bob", "nosuchperson"]})
    assert response.status_code == 400 and "We couldn't find nosuchperson." in html(response)
    assert not Message.objects.exists()


def test_add_is_404_for_a_member_whose_group_is_still_a_request(alice, bob, charlie, dora, client_of):
    group, _ = services.conversation_create(sender=alice, recipients=[bob, charlie], text="g")
    client = client_of(bob)
    assert client.get(url("add", group.pk)).status_code == 404
    assert client.get(url("add", group.pk) + "?q=do", **HX).status_code == 404
    assert client.post(url("add", group.pk), {"to": ["dora"]}).status_code == 404
    assert not Participant.objects.filter(user=dora).exists()


def test_a_rate_limit_answer_says_when_to_try_again(alice, client_of, settings):
    settings.DIRECT_NEW_CONVERSATION_RATE = "1/h"
    people = UserFactory.create_batch(3)
    client = client_of(alice)
    client.post(url("new"), {"to": [people[0].username], "text": "1"})
    page = client.post(url("new"), {"to": [people[1].username], "text": "2"})
    htmx = client.post(url("new"), {"to": [people[2].username], "text": "3"}, **HX)
    for response in (page, htmx):
        assert response.status_code == 429 and 3500 <= int(response["Retry-After"]) <= 3600


def test_twenty_lines_of_99_characters_from_a_browser_are_sent(alice, bob, follows, client_of):
    follows(bob, alice)
    conversation, _ = services.conversation_create(sender=alice, recipients=[bob], text="hi")
    text = "\r\n".join(["a" * 99] * 20)  # what a textarea with maxlength=2000 lets through
    response = client_of(alice).post(url("send", conversation.pk), {"text": text})
    assert response.status_code == 302
    assert Message.objects.filter(conversation=conversation).latest("pk").text == "\n".join(["a" * 99] * 20)


def test_the_catch_up_says_when_more_messages_wait(alice, bob, follows, client_of):
    from social.messages.selectors import AFTER_LIMIT

    follows(bob, alice)
    conversation, first = services.conversation_create(sender=alice, recipients=[bob], text="0")
    Message.objects.bulk_create([Message(conversation=conversation, sender=alice, text=str(i)) for i in range(1, AFTER_LIMIT + 6)])
    client = client_of(bob)
    page = client.get(url("after", conversation.pk) + f"?after={first.pk}")
    ids = [int(i) for i in html(page).split('data-message-id="')[1:] for i in [i.split('"')[0]]]
    assert len(ids) == AFTER_LIMIT and page["Direct-More"] == "1"
    rest = client.get(url("after", conversation.pk) + f"?after={max(ids)}")
    assert html(rest).count("data-message-id=") == 5 and not rest.has_header("Direct-More")


# --- the inbox lists refresh themselves (live) -------------------------------------------------------


def test_the_inbox_answers_its_first_page_to_its_own_live_refresh(alice, bob, follows, client_of):
    follows(alice, bob)
    services.conversation_create(sender=bob, recipients=[alice], text="new one")
    client = client_of(alice)
    page = html(client.get(url("inbox")))
    assert 'id="threads"' in page and "live:message from:body" in page and "live:open from:body" in page
    fragment = html(client.get(url("inbox"), HTTP_HX_TARGET="threads", **HX))
    assert "<html" not in fragment and "new one" in fragment and 'class="thread thread--unread"' in fragment
    requests_fragment = html(client.get(url("requests"), HTTP_HX_TARGET="threads", **HX))
    assert "<html" not in requests_fragment and "No message requests." in requests_fragment


def test_the_list_beside_a_conversation_answers_its_own_live_refresh_without_marking_it_seen(alice, bob, charlie, follows, client_of):
    follows(alice, bob)
    follows(alice, charlie)
    open_one, _ = services.conversation_create(sender=bob, recipients=[alice], text="from bob")
    services.conversation_create(sender=charlie, recipients=[alice], text="from charlie")
    client = client_of(alice)
    fragment = html(client.get(url("conversation", open_one.pk), HTTP_HX_TARGET="direct-aside-threads", **HX))
    assert "<html" not in fragment and 'id="message-list"' not in fragment
    assert "from charlie" in fragment and "from bob" in fragment
    assert Participant.objects.get(user=alice, conversation=open_one).last_read_id == 0  # nothing marked
    # the open conversation is never bold beside itself
    assert fragment.count("thread--unread") == 1 and f'id="thread-{open_one.pk}"' in fragment
