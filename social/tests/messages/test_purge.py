"""A purged person's part of Direct (social.messages.services.account_messages_purge, run by the
account purge through social/purge.py; the whole proof is social/tests/test_purge.py)."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage

from accounts.services import account_purge
from posts.tests.factories import jpeg
from social.messages import selectors, services
from social.messages.models import Conversation, Message, Participant

pytestmark = pytest.mark.django_db


def test_their_messages_files_and_memberships_go_and_others_keep_theirs(alice, bob, charlie, follows):
    follows(bob, alice)
    one, _ = services.conversation_create(sender=alice, recipients=[bob], text="hi")
    bobs = services.message_send(sender=bob, conversation=one, text="hello")
    photo = services.message_send(sender=alice, conversation=one, photo=jpeg())
    group, _ = services.conversation_create(sender=alice, recipients=[bob, charlie], name="G", text="group hi")
    account_purge(user_id=alice.pk, now=True)
    assert not Message.objects.filter(sender_id=alice.pk).exists()
    assert not default_storage.exists(photo.file)
    assert Conversation.objects.get(pk=one.pk).last_message_id == bobs.pk
    assert Conversation.objects.get(pk=group.pk).created_by_id is None
    member = selectors.participant_get(bob, one.pk)
    thread = selectors.thread_get(bob, member)
    assert [m.text for m in thread.messages] == ["hello"]
    assert thread.others == [] and thread.title == "Instaclone user"
    assert selectors.composer_refusal(bob, member, thread.others)["text"] == "You can't message this account."


def test_a_request_they_sent_leaves_the_others_requests(alice, bob):
    services.conversation_create(sender=alice, recipients=[bob], text="buy now")
    assert selectors.requests_count(bob) == 1
    account_purge(user_id=alice.pk, now=True)
    assert selectors.requests_count(bob) == 0
    assert selectors.threads_page(bob, state="request").items == []


def test_a_conversation_nobody_is_left_in_goes(alice, bob):
    one, _ = services.conversation_create(sender=alice, recipients=[bob], text="hi")
    services.message_send(sender=bob, conversation=one, photo=jpeg())
    bob_photo = Message.objects.get(sender=bob).file
    account_purge(user_id=alice.pk, now=True)
    assert Conversation.objects.filter(pk=one.pk).exists()
    account_purge(user_id=bob.pk, now=True)
    assert not Conversation.objects.filter(pk=one.pk).exists()
    assert not Participant.objects.exists() and not Message.objects.exists()
    assert not default_storage.exists(bob_photo)


def test_running_it_again_changes_nothing(alice, bob):
    services.conversation_create(sender=alice, recipients=[bob], text="hi")
    first = services.account_messages_purge(user_id=alice.pk)
    # bob's request from alice left his Requests: nobody is left in it, so it goes
    assert first == {"messages": 1, "memberships": 1, "conversations": 1}
    assert services.account_messages_purge(user_id=alice.pk) == {"messages": 0, "memberships": 0, "conversations": 0}


# --- reports' copies of a conversation, whatever the order of purges ------------------------------


def _context(report):
    from social.models import Report

    return [(e["sender"], e["text"]) for e in Report.objects.get(pk=report.pk).context]


def test_a_reporter_purged_after_the_reported_sender_leaves_no_words_in_the_report(alice, bob, follows):
    from social import moderation

    follows(bob, alice)
    conversation, _ = services.conversation_create(sender=alice, recipients=[bob], text="alice's own words")
    bad = services.message_send(sender=bob, conversation=conversation, text="bob's nasty words")
    report = moderation.report_create(reporter=alice, target=bad, reason="spam").report
    account_purge(user_id=bob.pk, now=True)  # the report is detached: its message went with bob
    account_purge(user_id=alice.pk, now=True)
    assert _context(report) == [("[deleted]", ""), ("[deleted]", "")]


def test_a_third_member_purged_after_the_reported_sender_leaves_no_words_in_the_report(alice, bob, charlie, follows):
    from social import moderation

    follows(bob, alice)
    follows(charlie, alice)
    group, _ = services.conversation_create(sender=alice, recipients=[bob, charlie], text="alice's words")
    services.request_accept(user=charlie, conversation_id=group.pk)
    services.message_send(sender=charlie, conversation=group, text="charlie's words")
    bad = services.message_send(sender=bob, conversation=group, text="bob's nasty words")
    report = moderation.report_create(reporter=alice, target=bad, reason="spam").report
    account_purge(user_id=bob.pk, now=True)
    account_purge(user_id=charlie.pk, now=True)
    assert _context(report) == [("alice", "alice's words"), ("[deleted]", ""), ("[deleted]", "")]


def test_a_conversation_whose_remaining_members_all_left_goes_with_its_files(alice, bob, charlie, follows):
    follows(bob, alice)
    follows(charlie, alice)
    group, _ = services.conversation_create(sender=alice, recipients=[bob, charlie], text="hi")
    services.request_accept(user=bob, conversation_id=group.pk)
    services.request_accept(user=charlie, conversation_id=group.pk)
    photo = services.message_send(sender=bob, conversation=group, photo=jpeg())
    services.group_leave(user=bob, conversation_id=group.pk)
    services.group_leave(user=charlie, conversation_id=group.pk)
    account_purge(user_id=alice.pk, now=True)
    assert not Conversation.objects.filter(pk=group.pk).exists()
    assert not Message.objects.exists() and not Participant.objects.exists()
    assert not default_storage.exists(photo.file)


def test_a_conversation_with_a_reported_message_stays_for_its_report(alice, bob, charlie, follows):
    from social import moderation

    follows(bob, alice)
    follows(charlie, alice)
    group, _ = services.conversation_create(sender=alice, recipients=[bob, charlie], text="hi")
    services.request_accept(user=bob, conversation_id=group.pk)
    services.request_accept(user=charlie, conversation_id=group.pk)
    bad = services.message_send(sender=bob, conversation=group, text="bad")
    report = moderation.report_create(reporter=charlie, target=bad, reason="spam").report
    services.group_leave(user=bob, conversation_id=group.pk)
    services.group_leave(user=charlie, conversation_id=group.pk)
    account_purge(user_id=alice.pk, now=True)
    report.refresh_from_db()
    assert report.message_id == bad.pk and Conversation.objects.filter(pk=group.pk).exists()
