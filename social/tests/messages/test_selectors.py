"""Direct's reads (social.messages.selectors): keyset pages of the inbox and of a conversation's
history, who sees what (members only, people through the visibility rule, shared posts and stories
through theirs), the "Seen" line, the report context, and query counts pinned for 1 and many."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from accounts.tests.factories import BlockFactory, UserFactory, make_private
from posts.models import Story
from posts.tests.factories import PostFactory
from social.messages import selectors, services
from social.messages.models import Participant

pytestmark = pytest.mark.django_db


def _story(author, **fields):
    return Story.objects.create(author=author, file="stories/s.jpg", width=9, height=16,
                                expires_at=timezone.now() + timedelta(hours=24), **fields)


def _thread(viewer, conversation, **kw):
    return selectors.thread_get(viewer, selectors.participant_get(viewer, conversation.pk), **kw)


# --- the inbox -------------------------------------------------------------------------------------


def test_inbox_is_ordered_by_last_message_and_pages_by_keyset(alice, follows):
    people = UserFactory.create_batch(5)
    conversations = []
    for person in people:
        follows(alice, person)  # alice follows them: their messages land in her inbox
        conversations.append(services.conversation_create(sender=person, recipients=[alice], text=f"from {person.username}")[0])
    services.message_send(sender=people[0], conversation=conversations[0], text="bump")  # the oldest comes first
    first = selectors.threads_page(alice, size=2)
    assert [row.conversation_id for row in first.items] == [conversations[0].pk, conversations[4].pk]
    second = selectors.threads_page(alice, cursor=first.next_cursor, size=2)
    third = selectors.threads_page(alice, cursor=second.next_cursor, size=2)
    seen = [r.conversation_id for page in (first, second, third) for r in page.items]
    assert sorted(seen) == sorted(c.pk for c in conversations) and len(seen) == 5
    assert third.next_cursor is None


def test_inbox_rows_say_unread_and_preview_the_last_message(alice, bob, follows):
    follows(bob, alice)
    conversation, _ = services.conversation_create(sender=alice, recipients=[bob], text="hello there")
    row = selectors.threads_page(bob).items[0]
    assert row.unread and row.title == "alice" and row.last.text == "hello there"
    services.conversation_seen(user=bob, conversation_id=conversation.pk)
    row = selectors.threads_page(bob).items[0]
    assert not row.unread
    own = selectors.threads_page(alice).items[0]
    assert not own.unread and own.last_from_me and own.last_sender_name == "You"


def test_requests_are_their_own_list_and_count(alice, bob, charlie, follows):
    follows(bob, charlie)
    services.conversation_create(sender=alice, recipients=[bob], text="a request")
    services.conversation_create(sender=charlie, recipients=[bob], text="from a followee")
    assert [r.title for r in selectors.threads_page(bob, state="request").items] == ["alice"]
    assert [r.title for r in selectors.threads_page(bob).items] == ["charlie"]
    assert selectors.requests_count(bob) == 1


def test_a_request_from_someone_suspended_or_blocked_since_goes_away(alice, bob, charlie):
    services.conversation_create(sender=alice, recipients=[bob], text="spam")
    services.conversation_create(sender=charlie, recipients=[bob], text="hi")
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    BlockFactory(blocker=charlie, blocked=bob)
    assert selectors.threads_page(bob, state="request").items == []
    assert selectors.requests_count(bob) == 0


def test_group_titles_name_the_members_or_use_the_name(alice, bob, charlie, dora):
    group, _ = services.conversation_create(sender=alice, recipients=[bob, charlie, dora], text="hi")
    assert selectors.threads_page(alice).items[0].title == "bob, charlie and dora"
    services.group_rename(user=alice, conversation_id=group.pk, name="The crew")
    assert selectors.threads_page(alice).items[0].title == "The crew"


@pytest.mark.parametrize("count", [1, 6])
def test_inbox_page_queries_do_not_grow_with_threads(alice, follows, django_assert_num_queries, count):
    for person in UserFactory.create_batch(count):
        follows(alice, person)
        services.conversation_create(sender=person, recipients=[alice, UserFactory()] if count > 1 else [alice], text="hi")
    with django_assert_num_queries(2):
        # 1. the page of participant rows with their conversations, last messages and senders (keyset)
        # 2. the other members of those conversations, with whether alice may see each
        page = selectors.threads_page(alice)
        assert len(page.items) == count
        [(row.title, row.unread, row.last_sender_name) for row in page.items]


# --- a conversation ----------------------------------------------------------------------------------


def test_only_members_open_a_conversation(alice, bob, charlie):
    conversation, _ = services.conversation_create(sender=alice, recipients=[bob], text="hi")
    assert selectors.participant_get(bob, conversation.pk).state == "request"
    for viewer, pk in ((charlie, conversation.pk), (alice, 10**6), (alice, 0), (alice, 2**64), (alice, "1")):
        with pytest.raises(Http404):
            selectors.participant_get(viewer, pk)


def test_history_pages_back_in_time_newest_at_the_bottom(alice, bob, follows):
    follows(bob, alice)
    conversation, _ = services.conversation_create(sender=alice, recipients=[bob], text="m0")
    for i in range(1, 7):
        services.message_send(sender=alice, conversation=conversation, text=f"m{i}")
    latest = _thread(bob, conversation, size=3)
    assert [m.text for m in latest.messages] == ["m4", "m5", "m6"]
    older = _thread(bob, conversation, cursor=latest.older_cursor, size=3)
    assert [m.text for m in older.messages] == ["m1", "m2", "m3"]
    oldest = _thread(bob, conversation, cursor=older.older_cursor, size=3)
    assert [m.text for m in oldest.messages] == ["m0"] and oldest.older_cursor is None


def test_deleted_messages_are_left_out_everywhere(alice, bob, follows):
    follows(bob, alice)
    conversation, keep = services.conversation_create(sender=alice, recipients=[bob], text="keep")
    gone = services.message_send(sender=alice, conversation=conversation, text="oops")
    services.message_delete(user=alice, message=gone)
    member = selectors.participant_get(bob, conversation.pk)
    assert [m.text for m in selectors.thread_get(bob, member).messages] == ["keep"]
    assert selectors.messages_after(bob, member, keep.pk) == []
    with pytest.raises(Http404):
        selectors.message_get_for_member(bob, gone.pk)
    assert selectors.threads_page(bob).items[0].last.text == "keep"


def test_messages_after_is_the_live_catch_up(alice, bob, follows):
    follows(bob, alice)
    conversation, first = services.conversation_create(sender=alice, recipients=[bob], text="1")
    services.message_send(sender=alice, conversation=conversation, text="2")
    services.message_send(sender=bob, conversation=conversation, text="3")
    member = selectors.participant_get(bob, conversation.pk)
    assert [m.text for m in selectors.messages_after(bob, member, first.pk)] == ["2", "3"]
    assert [m.text for m in selectors.messages_after(bob, member, 0)] == ["1", "2", "3"]


def test_a_shared_post_shows_only_to_members_who_may_see_it(alice, bob, charlie, follows):
    make_private(alice)
    follows(bob, alice)  # bob may see alice's posts; charlie may not
    post = PostFactory(author=alice, caption="private sunset")
    group, message = services.conversation_create(sender=bob, recipients=[alice, charlie], post_id=post.pk)
    assert message.kind == "post"
    assert _thread(bob, group).messages[0].shared_post.pk == post.pk
    services.request_accept(user=charlie, conversation_id=group.pk)
    assert _thread(charlie, group).messages[0].shared_post is None  # "This post is unavailable"


def test_a_quoted_story_shows_while_visible_then_is_unavailable(alice, bob):
    story = _story(bob)
    conversation, _ = services.story_reply(sender=alice, story_id=story.pk, text="wow")
    assert _thread(alice, conversation).messages[0].quoted_story.pk == story.pk
    Story.objects.filter(pk=story.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _thread(alice, conversation).messages[0].quoted_story is None
    Story.objects.filter(pk=story.pk).delete()  # the expiry task deletes it: the reply stays
    message = _thread(alice, conversation).messages[0]
    assert (message.text, message.story_id, message.quoted_story) == ("wow", None, None)


def test_people_the_viewer_may_not_see_are_instaclone_users(alice, bob, charlie, follows):
    follows(bob, alice)
    follows(charlie, alice)
    group, _ = services.conversation_create(sender=alice, recipients=[bob, charlie], text="hi")
    services.request_accept(user=bob, conversation_id=group.pk)
    services.message_send(sender=charlie, conversation=group, text="from charlie")
    charlie.is_active = False  # suspended
    charlie.save(update_fields=["is_active"])
    thread = _thread(bob, group)
    names = sorted(p.name for p in thread.others)
    assert names == ["Instaclone user", "alice"]
    assert thread.messages[-1].person.name == "Instaclone user" and thread.messages[-1].person.url == ""
    assert thread.messages[-1].text == "from charlie"  # the history stays


def test_a_blocked_one_to_one_keeps_its_history_and_says_why_you_cannot_write(alice, bob, follows):
    follows(bob, alice)
    conversation, _ = services.conversation_create(sender=alice, recipients=[bob], text="hi")
    BlockFactory(blocker=alice, blocked=bob)
    for viewer, expected in ((alice, "You blocked bob"), (bob, "You can't message this account.")):
        member = selectors.participant_get(viewer, conversation.pk)
        thread = selectors.thread_get(viewer, member)
        assert [m.text for m in thread.messages] == ["hi"]
        refusal = selectors.composer_refusal(viewer, member, thread.others)
        assert refusal["text"].startswith(expected)
    assert selectors.composer_refusal(bob, selectors.participant_get(bob, conversation.pk), [])["unblock"] is None


def test_seen_lines(alice, bob, charlie, follows):
    follows(bob, alice)
    follows(charlie, alice)
    one, first = services.conversation_create(sender=alice, recipients=[bob], text="hi")
    thread = _thread(alice, one)
    assert selectors.seen_line(alice, thread.members, one, first) == ""
    services.conversation_seen(user=bob, conversation_id=one.pk)
    thread = _thread(alice, one)
    assert selectors.seen_line(alice, thread.members, one, thread.messages[-1]) == "Seen"
    assert selectors.seen_line(bob, _thread(bob, one).members, one, first) == ""  # not his message
    group, message = services.conversation_create(sender=alice, recipients=[bob, charlie], text="all")
    services.conversation_seen(user=bob, conversation_id=group.pk)
    assert selectors.seen_line(alice, _thread(alice, group).members, group, message) == "Seen by bob"
    services.conversation_seen(user=charlie, conversation_id=group.pk)
    assert selectors.seen_line(alice, _thread(alice, group).members, group, message) == "Seen by everyone"


@pytest.mark.parametrize("count", [1, 8])
def test_conversation_page_queries_do_not_grow_with_messages(alice, bob, charlie, follows, django_assert_num_queries, count):
    follows(bob, alice)
    group, _ = services.conversation_create(sender=alice, recipients=[bob, charlie], text="start")
    for i in range(count):
        services.message_send(sender=bob, conversation=group, text=f"text {i}")
        services.message_send(sender=alice, conversation=group, post_id=PostFactory(author=charlie).pk)
        services.story_reply(sender=alice, story_id=_story(bob).pk, text="story")  # into the one-to-one
    services.message_send(sender=alice, conversation=group, post_id=PostFactory(author=bob).pk)
    one = services.conversation_create(sender=alice, recipients=[bob], text="x")[0]
    for conversation, extra in ((group, 2), (one, 1)):
        participant = selectors.participant_get(alice, conversation.pk)
        with django_assert_num_queries(2 + extra):
            # 1. the members, with whether alice may see each
            # 2. a page of messages with their senders (keyset on id)
            # group: 3. the shared posts through Post.objects.visible_to, 4. their media
            # one-to-one: 3. the quoted stories through Story.objects.visible_to
            # (the "Seen" line and the composer need none: bob is visible)
            thread = selectors.thread_get(alice, participant)
            selectors.composer_refusal(alice, participant, thread.others)
            selectors.seen_line(alice, thread.members, conversation, thread.messages[-1])
            [(m.person.name, m.shared_post, m.quoted_story) for m in thread.messages]


# --- reports -------------------------------------------------------------------------------------------


def test_report_context_is_what_the_reporter_could_see_around_it(alice, bob, charlie, follows):
    follows(charlie, alice)
    group, _ = services.conversation_create(sender=alice, recipients=[bob], text="before charlie")
    group, _ = services.conversation_create(sender=alice, recipients=[bob, charlie], text="g0")
    messages = [services.message_send(sender=bob if i % 2 else alice, conversation=group, text=f"g{i}") for i in range(1, 10)]
    gone = messages[2]
    services.message_delete(user=gone.sender, message=gone)
    reported = messages[6]
    context = selectors.report_context(charlie, reported)
    texts = [e["text"] for e in context]
    assert texts == ["g1", "g2", "g4", "g5", "g6", "g7", "g8", "g9"]  # 5 before (g3 was deleted), 2 after
    assert [e["reported"] for e in context].count(True) == 1
    assert next(e for e in context if e["reported"])["id"] == reported.pk
    assert {e["sender"] for e in context} <= {"alice", "bob"}


def test_message_get_for_member_is_members_only_and_from_when_they_joined(alice, bob, charlie, dora, follows):
    follows(dora, alice)
    group, before = services.conversation_create(sender=alice, recipients=[bob, charlie], text="before dora")
    services.group_add(user=alice, conversation_id=group.pk, people=[dora])
    after = services.message_send(sender=alice, conversation=group, text="after")
    assert selectors.message_get_for_member(dora, after.pk).pk == after.pk
    with pytest.raises(Http404):
        selectors.message_get_for_member(dora, before.pk)
    outsider = UserFactory()
    with pytest.raises(Http404):
        selectors.message_get_for_member(outsider, after.pk)
    assert Participant.objects.filter(conversation=group).count() == 4
