"""Reported direct messages in the moderation queue (social.moderation, social/admin.py): the report
keeps the context the reporter could see, the admin's pages show it, a moderator deletes the message
for everyone or suspends its sender, and a purge leaves no word of the purged person in it."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.http import Http404

from accounts.services import account_purge
from posts.tests.factories import jpeg
from social import moderation
from social.messages import selectors, services
from social.messages.models import Message

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/social/report/"


@pytest.fixture
def thread(alice, bob, follows):
    """bob and alice talk; alice sends something bob reports."""
    follows(bob, alice)
    conversation, first = services.conversation_create(sender=alice, recipients=[bob], text="hi bob")
    reply = services.message_send(sender=bob, conversation=conversation, text="hi alice")
    bad = services.message_send(sender=alice, conversation=conversation, text="send me money or else")
    return conversation, first, reply, bad


def test_only_members_may_report_a_message_and_not_their_own(thread, alice, charlie):
    _, _, _, bad = thread
    with pytest.raises(Http404):
        moderation.report_target_get(viewer=charlie, kind="message", pk=bad.pk)
    with pytest.raises(moderation.ModerationError):
        moderation.report_create(reporter=alice, target=bad, reason="spam")


def test_a_report_copies_the_context_and_a_repeat_collapses(thread, bob):
    _, first, reply, bad = thread
    result = moderation.report_create(reporter=bob, target=moderation.report_target_get(viewer=bob, kind="message", pk=bad.pk), reason="spam")
    assert result.created
    assert [(e["sender"], e["text"], e["reported"]) for e in result.report.context] == [
        ("alice", "hi bob", False), ("bob", "hi alice", False), ("alice", "send me money or else", True),
    ]
    again = moderation.report_create(reporter=bob, target=bad, reason="harassment")
    assert not again.created and again.report.pk == result.report.pk


def test_the_queue_and_the_report_page_show_the_message_and_its_context(client, moderator, thread, bob):
    _, _, _, bad = thread
    report = moderation.report_create(reporter=bob, target=bad, reason="spam").report
    client.force_login(moderator)
    queue = client.get(CHANGELIST + "?target=message").content.decode()
    assert "Direct message “send me money or else”" in queue and "@alice" in queue
    page = client.get(f"{CHANGELIST}{report.pk}/change/").content.decode()
    assert "Reported direct message, as its viewers saw it" in page
    assert "hi alice" in page and "dm--reported" in page
    assert 'value="delete_content"' in page and 'value="suspend_author"' in page and 'value="hide_content"' not in page


def test_a_moderator_deletes_the_message_for_everyone(client, moderator, thread, bob, alice):
    conversation, _, _, _ = thread
    photo = services.message_send(sender=alice, conversation=conversation, photo=jpeg())
    report = moderation.report_create(reporter=bob, target=photo, reason="nudity").report
    client.force_login(moderator)
    client.post(f"{CHANGELIST}{report.pk}/moderate/", {"action": "delete_content", "notes": "explicit"})
    row = Message.objects.get(pk=photo.pk)
    assert row.deleted_at and row.file == "" and not default_storage.exists(photo.file)
    report.refresh_from_db()
    assert report.status == "actioned" and "Message" in report.notes and report.message_id == photo.pk
    assert "delete_content" not in client.get(f"{CHANGELIST}{report.pk}/change/").content.decode()


def test_hiding_a_message_is_refused_with_a_reason(client, moderator, thread, bob):
    _, _, _, bad = thread
    report = moderation.report_create(reporter=bob, target=bad, reason="spam").report
    client.force_login(moderator)
    response = client.post(CHANGELIST + "?status__exact=all", {"action": "hide_content", "_selected_action": [report.pk]}, follow=True)
    assert "is a direct message: delete it instead" in response.content.decode()


def test_suspending_the_sender_actions_the_reports_of_their_messages(moderator, thread, alice, bob):
    _, _, _, bad = thread
    report = moderation.report_create(reporter=bob, target=bad, reason="spam").report
    moderation.user_suspend(moderator=moderator, user=alice)
    report.refresh_from_db()
    assert report.status == "actioned"


def test_a_purged_senders_report_keeps_no_word_of_theirs(thread, alice, bob):
    _, _, _, bad = thread
    report = moderation.report_create(reporter=bob, target=bad, reason="spam").report
    account_purge(user_id=alice.pk, now=True)
    report.refresh_from_db()
    assert report.target_deleted and report.message_id is None
    assert [(e["sender"], e["text"]) for e in report.context] == [("[deleted]", ""), ("bob", "hi alice"), ("[deleted]", "")]


# --- what a moderator sees of a photo, a shared post, a story reply; a delete held for the report ---


def test_the_preview_shows_a_reported_photo_through_a_signed_url(client, moderator, thread, alice, bob):
    conversation, _, _, _ = thread
    photo = services.message_send(sender=alice, conversation=conversation, photo=jpeg())
    report = moderation.report_create(reporter=bob, target=photo, reason="nudity").report
    client.force_login(moderator)
    page = client.get(f"{CHANGELIST}{report.pk}/change/").content.decode()
    src = page.split(f'src="/media/{photo.file}?')[1].split('"')[0].replace("&amp;", "&")
    client.logout()
    assert client.get(f"/media/{photo.file}?{src}").status_code == 200  # signed: it opens for whoever has it
    assert client.get(f"/media/{photo.file}").status_code == 404  # unsigned: never


def test_the_preview_shows_a_reported_shared_post_and_story_reply(client, moderator, thread, alice, bob, charlie):
    from datetime import timedelta

    from django.utils import timezone

    from posts.models import Post, Story
    from posts.tests.factories import PostFactory

    conversation, _, _, _ = thread
    post = PostFactory(author=charlie, caption="a shared caption")
    shared = services.message_send(sender=alice, conversation=conversation, post_id=post.pk)
    Post.objects.filter(pk=post.pk).update(is_hidden=True)  # moderators still see what was sent
    story = Story.objects.create(author=bob, file="stories/x.jpg", width=10, height=10,
                                 expires_at=timezone.now() + timedelta(hours=24))
    _, reply = services.story_reply(sender=alice, story_id=story.pk, text="nice story")
    client.force_login(moderator)
    for target, expected in ((shared, "a shared caption"), (reply, f"Replied to @{bob.username}'s story")):
        report = moderation.report_create(reporter=bob, target=target, reason="spam").report
        page = client.get(f"{CHANGELIST}{report.pk}/change/").content.decode()
        assert expected in page


def test_a_senders_delete_keeps_the_photo_for_an_open_report_until_it_is_handled(client, moderator, thread, alice, bob):
    conversation, _, _, _ = thread
    photo = services.message_send(sender=alice, conversation=conversation, photo=jpeg())
    report = moderation.report_create(reporter=bob, target=photo, reason="nudity").report
    services.message_delete(user=alice, message=photo)
    row = Message.objects.get(pk=photo.pk)
    assert row.deleted_at and row.file == photo.file and default_storage.exists(photo.file)
    assert row.is_held_for_reports
    member = selectors.participant_get(bob, conversation.pk)
    assert photo.pk not in [m.pk for m in selectors.thread_get(bob, member).messages]  # gone for members
    client.force_login(moderator)
    page = client.get(f"{CHANGELIST}{report.pk}/change/").content.decode()
    assert "kept for moderators until its open reports are handled" in page and f"/media/{photo.file}?" in page
    moderation.report_dismiss(moderator=moderator, reports=[report])
    row.refresh_from_db()
    assert row.file == "" and not row.is_held_for_reports and not default_storage.exists(photo.file)


def test_a_moderators_delete_of_a_held_message_clears_it(client, moderator, thread, alice, bob):
    _, _, _, bad = thread
    report = moderation.report_create(reporter=bob, target=bad, reason="spam").report
    services.message_delete(user=alice, message=bad)
    assert Message.objects.get(pk=bad.pk).text == "send me money or else"  # held
    client.force_login(moderator)
    assert 'value="delete_content"' in client.get(f"{CHANGELIST}{report.pk}/change/").content.decode()
    assert moderation.message_remove(moderator=moderator, message=Message.objects.get(pk=bad.pk)) is True
    row = Message.objects.get(pk=bad.pk)
    assert row.text == "" and row.deleted_at
    report.refresh_from_db()
    assert report.status == "actioned"


def test_a_senders_delete_without_an_open_report_clears_at_once(moderator, thread, alice, bob):
    conversation, _, _, _ = thread
    photo = services.message_send(sender=alice, conversation=conversation, photo=jpeg())
    report = moderation.report_create(reporter=bob, target=photo, reason="nudity").report
    moderation.report_dismiss(moderator=moderator, reports=[report])
    services.message_delete(user=alice, message=photo)
    assert Message.objects.get(pk=photo.pk).file == "" and not default_storage.exists(photo.file)


def test_the_report_page_names_a_sender_the_reporter_may_not_see_as_instaclone_user(client, alice, bob, charlie, follows):
    from accounts.tests.factories import BlockFactory

    follows(bob, alice)
    follows(charlie, alice)
    group, _ = services.conversation_create(sender=alice, recipients=[bob, charlie], text="hi")
    services.request_accept(user=charlie, conversation_id=group.pk)
    services.request_accept(user=bob, conversation_id=group.pk)
    message = services.message_send(sender=bob, conversation=group, text="from bob")
    client.force_login(charlie)
    page = client.get(f"/report/message/{message.pk}/").content.decode()
    assert "Why are you reporting bob's message" in page
    BlockFactory(blocker=bob, blocked=charlie)
    page = client.get(f"/report/message/{message.pk}/").content.decode()
    assert "Why are you reporting Instaclone user's message" in page and "bob's" not in page
