"""Direct messages' writes (social.messages.services): conversations, requests, groups, photos,
shared posts, seen marks, deletes, blocks, rate limits, and every refusal."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.http import Http404

from accounts.models import Block
from accounts.tests.factories import BlockFactory, UserFactory, make_private
from instaclone.media.images import UploadRejected
from posts.tests.factories import PostFactory, jpeg, upload
from social.messages import selectors, services
from social.messages.models import Conversation, Message, Participant
from social.messages.services import DirectError, DirectNotAllowed, DirectNotFound, DirectRateLimited

pytestmark = pytest.mark.django_db


def state_of(user, conversation):
    return Participant.objects.get(user=user, conversation=conversation).state


def texts(conversation):
    return list(Message.objects.filter(conversation=conversation, deleted_at__isnull=True).order_by("pk").values_list("text", flat=True))


# --- one-to-one and requests ---------------------------------------------------------------------


def test_a_message_from_someone_you_do_not_follow_is_a_request(alice, bob):
    conversation, message = services.conversation_create(sender=alice, recipients=[bob], text="hi bob")
    assert not conversation.is_group and conversation.pair_key == f"{alice.pk}:{bob.pk}"
    assert state_of(alice, conversation) == "inbox"
    assert state_of(bob, conversation) == "request"
    assert message.kind == "text" and message.text == "hi bob"
    assert Conversation.objects.get(pk=conversation.pk).last_message_id == message.pk


def test_a_message_from_someone_you_follow_goes_to_the_inbox(alice, bob, follows):
    follows(bob, alice)
    conversation, _ = services.conversation_create(sender=alice, recipients=[bob], text="hi")
    assert state_of(bob, conversation) == "inbox"


def test_a_private_account_still_receives_requests(alice, bob):
    make_private(bob)
    conversation, _ = services.conversation_create(sender=alice, recipients=[bob], text="hi")
    assert state_of(bob, conversation) == "request"


def test_one_to_one_is_unique_per_pair_whoever_starts_it(alice, bob):
    first, _ = services.conversation_create(sender=alice, recipients=[bob], text="one")
    again, _ = services.conversation_create(sender=bob, recipients=[alice], text="two")
    assert again.pk == first.pk
    assert Conversation.objects.count() == 1
    assert texts(first) == ["one", "two"]


def test_replying_to_a_request_accepts_it(alice, bob):
    conversation, _ = services.conversation_create(sender=alice, recipients=[bob], text="hi")
    services.message_send(sender=bob, conversation=conversation, text="hello")
    assert state_of(bob, conversation) == "inbox"


def test_accepting_a_request_moves_it_to_the_inbox_seen(alice, bob, published):
    conversation, message = services.conversation_create(sender=alice, recipients=[bob], text="hi")
    published.clear()
    assert services.request_accept(user=bob, conversation_id=conversation.pk) is True
    member = Participant.objects.get(user=bob, conversation=conversation)
    assert member.state == "inbox" and member.last_read_id == message.pk
    assert ([alice.pk], {"type": "seen", "conversation": conversation.pk, "user": bob.pk, "message": message.pk}) in published
    assert services.request_accept(user=bob, conversation_id=conversation.pk) is False  # twice: nothing


def test_deleting_a_request_hides_it_until_the_same_person_writes_again(alice, bob):
    conversation, _ = services.conversation_create(sender=alice, recipients=[bob], text="first")
    services.request_delete(user=bob, conversation_id=conversation.pk)
    assert state_of(bob, conversation) == "left"
    assert selectors.threads_page(bob, state="request").items == []
    with pytest.raises(DirectNotFound):
        services.request_delete(user=bob, conversation_id=conversation.pk)  # not a request any more
    second = services.message_send(sender=alice, conversation=conversation, text="second")
    member = Participant.objects.get(user=bob, conversation=conversation)
    assert member.state == "request"
    assert member.visible_from_id == second.pk  # the deleted request's messages stay gone for him
    participant = selectors.participant_get(bob, conversation.pk)
    assert [m.text for m in selectors.thread_get(bob, participant).messages] == ["second"]


def test_blocking_from_a_request_blocks_and_deletes_it(alice, bob):
    conversation, _ = services.conversation_create(sender=alice, recipients=[bob], text="spam")
    assert services.request_block(user=bob, conversation_id=conversation.pk) == alice
    assert Block.objects.filter(blocker=bob, blocked=alice).exists()
    assert state_of(bob, conversation) == "left"
    with pytest.raises(DirectNotAllowed):
        services.message_send(sender=alice, conversation=conversation, text="again")


def test_a_group_request_cannot_be_blocked_from_the_request(alice, bob, charlie):
    group, _ = services.conversation_create(sender=alice, recipients=[bob, charlie], text="hi")
    with pytest.raises(DirectError, match="Delete the group request"):
        services.request_block(user=bob, conversation_id=group.pk)


# --- blocks and visibility -----------------------------------------------------------------------------


@pytest.mark.parametrize("blocker", ["sender", "recipient"])
def test_a_block_either_way_stops_new_conversations(alice, bob, blocker):
    BlockFactory(blocker=alice if blocker == "sender" else bob, blocked=bob if blocker == "sender" else alice)
    with pytest.raises(DirectNotFound):
        services.conversation_create(sender=alice, recipients=[bob], text="hi")
    assert not Conversation.objects.exists()


@pytest.mark.parametrize("blocker", ["sender", "recipient"])
def test_a_block_either_way_stops_messages_in_an_existing_thread(alice, bob, follows, blocker):
    follows(bob, alice)
    conversation, _ = services.conversation_create(sender=alice, recipients=[bob], text="hi")
    BlockFactory(blocker=alice if blocker == "sender" else bob, blocked=bob if blocker == "sender" else alice)
    for sender in (alice, bob):
        with pytest.raises(DirectNotAllowed):
            services.message_send(sender=sender, conversation=conversation, text="still there?")
    assert texts(conversation) == ["hi"]  # the history stays


def test_nobody_messages_a_suspended_or_deactivated_account(alice, bob):
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    with pytest.raises(DirectNotFound):
        services.conversation_create(sender=alice, recipients=[bob], text="hi")


def test_a_non_member_cannot_send(alice, bob, charlie):
    conversation, _ = services.conversation_create(sender=alice, recipients=[bob], text="hi")
    with pytest.raises(DirectNotFound):
        services.message_send(sender=charlie, conversation=conversation, text="me too")


def test_you_cannot_message_only_yourself_or_nobody(alice):
    with pytest.raises(DirectError, match="Choose who"):
        services.conversation_create(sender=alice, recipients=[alice], text="me")
    with pytest.raises(DirectError, match="Choose who"):
        services.conversation_create(sender=alice, recipients=[], text="me")


# --- content -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "Write a message"), ("   \n ", "Write a message"), ("a\x00b", "null characters"), ("x" * 2001, "at most 2,000 characters")],
)
def test_bad_text_is_refused_with_a_clear_message(alice, bob, text, message):
    with pytest.raises(DirectError, match=message):
        services.conversation_create(sender=alice, recipients=[bob], text=text)
    assert not Conversation.objects.exists()


def test_a_message_of_exactly_the_limit_is_sent(alice, bob):
    _, message = services.conversation_create(sender=alice, recipients=[bob], text="x" * 2000)
    assert len(message.text) == 2000


def test_a_photo_goes_through_the_image_pipeline_into_the_private_folder(alice, bob):
    _, message = services.conversation_create(sender=alice, recipients=[bob], photo=jpeg("p.jpg", size=(3000, 2000)))
    assert message.kind == "photo"
    assert message.file.startswith("direct/photos/") and default_storage.exists(message.file)
    assert (message.width, message.height) == (1080, 720)  # capped at PHOTO_MAX_EDGE, re-encoded


def test_a_bad_photo_is_refused_and_nothing_is_stored(alice, bob, media_root):
    with pytest.raises(UploadRejected):
        services.conversation_create(sender=alice, recipients=[bob], photo=upload("x.jpg", b"<svg></svg>", "image/jpeg"))
    assert not Conversation.objects.exists()
    assert not (media_root / "direct").exists() or not any((media_root / "direct").rglob("*.jpg"))


def test_a_photo_whose_row_fails_leaves_no_file(alice, bob, media_root, monkeypatch):
    conversation, _ = services.conversation_create(sender=alice, recipients=[bob], text="hi")

    def boom(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services.live, "publish", boom)
    with pytest.raises(RuntimeError):
        services.message_send(sender=alice, conversation=conversation, photo=jpeg())
    assert not any((media_root / "direct").rglob("*.jpg"))
    assert Message.objects.count() == 1


def test_sharing_a_post_you_may_not_see_is_refused(alice, bob, charlie):
    make_private(charlie)
    post = PostFactory(author=charlie)
    with pytest.raises(DirectError, match="unavailable"):
        services.conversation_create(sender=alice, recipients=[bob], post_id=post.pk)


def test_a_pasted_link_to_a_post_shares_it(alice, bob, settings):
    settings.ALLOWED_HOSTS = ["insta.example"]
    post = PostFactory(author=bob)
    _, only_link = services.conversation_create(sender=alice, recipients=[bob], text=f"https://insta.example/p/{post.pk}/")
    assert (only_link.kind, only_link.post_id, only_link.text) == ("post", post.pk, "")
    with_words = services.message_send(sender=alice, conversation=only_link.conversation, text=f"look /p/{post.pk}/ !")
    assert (with_words.kind, with_words.post_id) == ("post", post.pk)
    elsewhere = services.message_send(sender=alice, conversation=only_link.conversation, text=f"https://evil.example/p/{post.pk}/")
    assert (elsewhere.kind, elsewhere.post_id) == ("text", None)  # another site's link is text


# --- groups -----------------------------------------------------------------------------------------


def test_a_group_with_a_name_and_request_states_per_member(alice, bob, charlie, follows):
    follows(bob, alice)
    group, message = services.conversation_create(sender=alice, recipients=[bob, charlie], name="  Trip   plans ", text="hi")
    assert group.is_group and group.pair_key is None and group.name == "Trip plans"
    assert (state_of(bob, group), state_of(charlie, group)) == ("inbox", "request")
    assert message.text == "hi"


def test_a_group_without_a_first_message(alice, bob, charlie):
    group, message = services.conversation_create(sender=alice, recipients=[bob, charlie], name="Quiet")
    assert message is None and group.last_message_id is None


def test_two_groups_of_the_same_people_are_two_conversations(alice, bob, charlie):
    one, _ = services.conversation_create(sender=alice, recipients=[bob, charlie], text="a")
    two, _ = services.conversation_create(sender=alice, recipients=[bob, charlie], text="b")
    assert one.pk != two.pk


def test_a_group_has_at_most_32_people(alice, settings):
    people = UserFactory.create_batch(32)
    with pytest.raises(DirectError, match="at most 32"):
        services.conversation_create(sender=alice, recipients=people, text="hi")
    group, _ = services.conversation_create(sender=alice, recipients=people[:30], text="hi")
    services.group_add(user=alice, conversation_id=group.pk, people=[people[30]])
    with pytest.raises(DirectError, match="at most 32"):
        services.group_add(user=alice, conversation_id=group.pk, people=[people[31]])


def test_a_group_name_is_refused_when_too_long_or_with_null_characters(alice, bob, charlie):
    with pytest.raises(DirectError, match="at most 60"):
        services.conversation_create(sender=alice, recipients=[bob, charlie], name="n" * 61, text="hi")
    group, _ = services.conversation_create(sender=alice, recipients=[bob, charlie], text="hi")
    with pytest.raises(DirectError, match="null"):
        services.group_rename(user=alice, conversation_id=group.pk, name="a\x00")


def test_rename_add_and_leave(alice, bob, charlie, dora, follows):
    follows(bob, alice)
    group, _ = services.conversation_create(sender=alice, recipients=[bob, charlie], text="before dora")
    assert services.group_rename(user=bob, conversation_id=group.pk, name="Crew").name == "Crew"
    follows(dora, bob)
    assert services.group_add(user=bob, conversation_id=group.pk, people=[dora]) == [dora]
    assert state_of(dora, group) == "inbox"  # she follows bob, who added her
    services.message_send(sender=alice, conversation=group, text="welcome dora")
    dora_member = selectors.participant_get(dora, group.pk)
    assert [m.text for m in selectors.thread_get(dora, dora_member).messages] == ["welcome dora"]
    services.group_leave(user=charlie, conversation_id=group.pk)
    with pytest.raises(DirectNotFound):
        services.message_send(sender=charlie, conversation=group, text="bye")
    with pytest.raises(Http404):
        selectors.participant_get(charlie, group.pk)


def test_group_refusals(alice, bob, charlie, dora):
    one, _ = services.conversation_create(sender=alice, recipients=[bob], text="hi")
    with pytest.raises(DirectError, match="not a group"):
        services.group_rename(user=alice, conversation_id=one.pk, name="x")
    with pytest.raises(DirectError, match="not a group"):
        services.group_add(user=alice, conversation_id=one.pk, people=[charlie])
    with pytest.raises(DirectError, match="only leave groups"):
        services.group_leave(user=alice, conversation_id=one.pk)
    group, _ = services.conversation_create(sender=alice, recipients=[bob, charlie], text="hi")
    with pytest.raises(DirectNotFound):
        services.group_add(user=dora, conversation_id=group.pk, people=[dora])  # not a member
    with pytest.raises(DirectError, match="aren't in the group"):
        services.group_add(user=alice, conversation_id=group.pk, people=[bob])
    BlockFactory(blocker=dora, blocked=alice)
    with pytest.raises(DirectNotFound):
        services.group_add(user=alice, conversation_id=group.pk, people=[dora])  # dora blocked alice
    with pytest.raises(DirectNotFound):
        services.group_rename(user=bob, conversation_id=group.pk, name="x")  # bob has not accepted


def test_someone_who_left_can_be_added_back_and_sees_from_then_on(alice, bob, charlie, follows):
    follows(charlie, alice)
    group, _ = services.conversation_create(sender=alice, recipients=[bob, charlie], text="one")
    services.group_leave(user=charlie, conversation_id=group.pk)
    services.message_send(sender=alice, conversation=group, text="while away")
    services.group_add(user=alice, conversation_id=group.pk, people=[charlie])
    services.message_send(sender=alice, conversation=group, text="back")
    member = selectors.participant_get(charlie, group.pk)
    assert [m.text for m in selectors.thread_get(charlie, member).messages] == ["back"]


# --- seen, delete, live events -------------------------------------------------------------------


def test_a_message_publishes_to_the_members_and_their_badges(alice, bob, charlie, published):
    group, message = services.conversation_create(sender=alice, recipients=[bob, charlie], text="hi")
    members = sorted([alice.pk, bob.pk, charlie.pk])
    assert (members, {"type": "message", "conversation": group.pk, "message": message.pk}) in published
    assert (sorted([bob.pk, charlie.pk]), {"type": "badge", "badge": "messages"}) in published


def test_nothing_is_published_for_a_refused_message(alice, bob, published):
    with pytest.raises(DirectError):
        services.conversation_create(sender=alice, recipients=[bob], text="")
    assert published == []


def test_seen_moves_forward_only_and_never_past_the_last_message(alice, bob, follows, published):
    follows(bob, alice)
    conversation, first = services.conversation_create(sender=alice, recipients=[bob], text="1")
    second = services.message_send(sender=alice, conversation=conversation, text="2")
    published.clear()
    assert services.conversation_seen(user=bob, conversation_id=conversation.pk, message_id=first.pk)
    assert not services.conversation_seen(user=bob, conversation_id=conversation.pk, message_id=first.pk)
    assert services.conversation_seen(user=bob, conversation_id=conversation.pk, message_id=second.pk + 1000)
    assert Participant.objects.get(user=bob, conversation=conversation).last_read_id == second.pk
    assert ([alice.pk], {"type": "seen", "conversation": conversation.pk, "user": bob.pk, "message": second.pk}) in published


def test_a_request_is_not_marked_seen(alice, bob):
    conversation, _ = services.conversation_create(sender=alice, recipients=[bob], text="1")
    with pytest.raises(DirectNotFound):
        services.conversation_seen(user=bob, conversation_id=conversation.pk)
    assert Participant.objects.get(user=bob, conversation=conversation).last_read_id == 0


def test_unread_badge_counts_threads_and_is_forgotten_on_change(alice, bob, charlie, follows):
    follows(bob, alice)
    follows(bob, charlie)
    one, _ = services.conversation_create(sender=alice, recipients=[bob], text="1")
    assert selectors.unread_badge_count(bob) == 1
    services.message_send(sender=alice, conversation=one, text="2")
    assert selectors.unread_badge_count(bob) == 1  # threads, not messages
    services.conversation_create(sender=charlie, recipients=[bob], text="3")
    assert selectors.unread_badge_count(bob) == 2
    services.conversation_seen(user=bob, conversation_id=one.pk)
    assert selectors.unread_badge_count(bob) == 1
    assert cache.get(selectors.unread_cache_key(bob.pk)) == 1


def test_only_the_sender_deletes_a_message_for_everyone(alice, bob, media_root, published):
    conversation, first = services.conversation_create(sender=alice, recipients=[bob], text="keep")
    photo = services.message_send(sender=alice, conversation=conversation, photo=jpeg())
    with pytest.raises(DirectNotAllowed):
        services.message_delete(user=bob, message=photo)
    published.clear()
    assert services.message_delete(user=alice, message=photo) is True
    row = Message.objects.get(pk=photo.pk)
    assert row.deleted_at and (row.text, row.file) == ("", "")
    assert not default_storage.exists(photo.file)
    assert Conversation.objects.get(pk=conversation.pk).last_message_id == first.pk
    assert (sorted([alice.pk, bob.pk]), {"type": "message_deleted", "conversation": conversation.pk, "message": photo.pk}) in published
    assert services.message_delete(user=alice, message=photo) is False  # twice: nothing more


# --- rate limits --------------------------------------------------------------------------------


def test_new_conversations_are_rate_limited_per_sender(alice, settings, follows):
    settings.DIRECT_NEW_CONVERSATION_RATE = "2/h"
    people = UserFactory.create_batch(3)
    for person in people:
        follows(person, alice)  # no requests: only the new-conversation limit counts
    services.conversation_create(sender=alice, recipients=[people[0]], text="1")
    services.conversation_create(sender=alice, recipients=[people[1]], text="2")
    with pytest.raises(DirectRateLimited) as refused:
        services.conversation_create(sender=alice, recipients=[people[2]], text="3")
    assert refused.value.status == 429 and "new conversations" in refused.value.message
    assert not Conversation.objects.filter(participants__user=people[2]).exists()
    # an existing conversation is not new: it is never limited
    services.conversation_create(sender=alice, recipients=[people[0]], text="again")


def test_requests_have_their_own_daily_limit(alice, settings):
    settings.DIRECT_REQUEST_RATE = "1/d"
    services.conversation_create(sender=alice, recipients=[UserFactory()], text="1")
    with pytest.raises(DirectRateLimited, match="message requests"):
        services.conversation_create(sender=alice, recipients=[UserFactory()], text="2")


# --- story replies --------------------------------------------------------------------------------


def _story(author, **fields):
    from datetime import timedelta

    from django.utils import timezone

    from posts.models import Story

    return Story.objects.create(author=author, file="stories/x.jpg", width=10, height=10,
                                expires_at=timezone.now() + timedelta(hours=24), **fields)


def test_a_story_reply_opens_the_one_to_one_with_the_story_quoted(alice, bob):
    story = _story(bob)
    conversation, message = services.story_reply(sender=alice, story_id=story.pk, text="nice!")
    assert (message.kind, message.story_id, message.text) == ("story_reply", story.pk, "nice!")
    assert conversation.pair_key == selectors.pair_key(alice.pk, bob.pk)
    assert state_of(bob, conversation) == "request"
    _, again = services.story_reply(sender=alice, story_id=story.pk, text="again")
    assert again.conversation_id == conversation.pk


def test_story_reply_refusals(alice, bob):
    with pytest.raises(DirectError, match="your own story"):
        services.story_reply(sender=alice, story_id=_story(alice).pk, text="me")
    with pytest.raises(DirectError, match="Write a reply"):
        services.story_reply(sender=alice, story_id=_story(bob).pk, text="  ")
    make_private(bob)
    with pytest.raises(DirectNotFound):
        services.story_reply(sender=alice, story_id=_story(bob).pk, text="hi")
    with pytest.raises(DirectNotFound):
        services.story_reply(sender=alice, story_id=987654, text="hi")


def test_nobody_replies_to_a_story_hidden_by_moderators_not_even_staff(alice, bob):
    # Staff and the author still see a hidden story (like a hidden post); a reply needs a published one.
    alice.is_staff = True
    alice.save(update_fields=["is_staff"])
    story = _story(bob, is_hidden=True)
    with pytest.raises(DirectNotFound):
        services.story_reply(sender=alice, story_id=story.pk, text="hi")
    assert not Message.objects.exists()


def test_a_group_counts_one_request_per_stranger_in_it(alice, settings):
    settings.DIRECT_REQUEST_RATE = "40/d"
    services.conversation_create(sender=alice, recipients=UserFactory.create_batch(31), text="hi all")  # 31 requests
    with pytest.raises(DirectRateLimited, match="message requests") as refused:
        services.conversation_create(sender=alice, recipients=UserFactory.create_batch(10), text="and you")
    assert refused.value.retry_after > 23 * 3600  # the first 31 leave the window in a day
    assert Conversation.objects.count() == 1
    services.conversation_create(sender=alice, recipients=UserFactory.create_batch(9), text="fits")  # 40


def test_a_group_with_more_strangers_than_the_limit_is_refused_at_once(alice, settings):
    settings.DIRECT_REQUEST_RATE = "2/d"
    with pytest.raises(DirectError) as refused:
        services.conversation_create(sender=alice, recipients=UserFactory.create_batch(3), text="hi")
    assert refused.value.status == 400 and refused.value.code == "rate_too_many"
    assert not Conversation.objects.exists()


def test_followers_in_a_group_are_not_requests(alice, settings, follows):
    settings.DIRECT_REQUEST_RATE = "1/d"
    friends = UserFactory.create_batch(3)
    for friend in friends:
        follows(friend, alice)
    services.conversation_create(sender=alice, recipients=friends, text="hi")
    services.conversation_create(sender=alice, recipients=[UserFactory()], text="one request")


def test_adding_people_to_a_group_counts_against_the_limits(alice, bob, charlie, settings, follows):
    settings.DIRECT_REQUEST_RATE = "3/d"
    follows(bob, alice)
    follows(charlie, alice)
    group, _ = services.conversation_create(sender=alice, recipients=[bob, charlie], text="hi")
    services.group_add(user=alice, conversation_id=group.pk, people=UserFactory.create_batch(2))  # 2 requests
    with pytest.raises(DirectRateLimited, match="message requests"):
        services.group_add(user=alice, conversation_id=group.pk, people=UserFactory.create_batch(2))
    assert Participant.objects.filter(conversation=group).count() == 5
    services.group_add(user=alice, conversation_id=group.pk, people=[UserFactory()])  # 3
    with pytest.raises(DirectRateLimited):
        services.group_add(user=alice, conversation_id=group.pk, people=[UserFactory()])


def test_adding_people_is_a_new_conversation_for_the_limit(alice, bob, charlie, dora, settings, follows):
    settings.DIRECT_NEW_CONVERSATION_RATE = "1/h"
    for person in (bob, charlie, dora):
        follows(person, alice)
    group, _ = services.conversation_create(sender=alice, recipients=[bob, charlie], text="hi")
    with pytest.raises(DirectRateLimited, match="new conversations"):
        services.group_add(user=alice, conversation_id=group.pk, people=[dora])
    assert not Participant.objects.filter(conversation=group, user=dora).exists()


def test_a_group_still_a_request_for_you_cannot_take_people(alice, bob, charlie, dora):
    group, _ = services.conversation_create(sender=alice, recipients=[bob, charlie], text="hi")
    with pytest.raises(DirectNotFound):
        services.group_add(user=bob, conversation_id=group.pk, people=[dora])


def test_twenty_lines_of_99_characters_fit_however_the_browser_sends_line_breaks(alice, bob):
    lines = ["a" * 99] * 20
    conversation, message = services.conversation_create(sender=alice, recipients=[bob], text="\r\n".join(lines))
    assert message.text == "\n".join(lines) and len(message.text) == 1999
    with pytest.raises(DirectError, match="at most 2,000 characters"):
        services.message_send(sender=alice, conversation=conversation, text="\r\n".join(["a" * 99] * 20 + ["a" * 2]))


def test_a_group_name_counts_a_line_break_once(alice, bob, charlie):
    group, _ = services.conversation_create(sender=alice, recipients=[bob, charlie], name="a" * 30 + "\r\n" + "b" * 29)
    assert group.name == "a" * 30 + " " + "b" * 29


@pytest.mark.parametrize("text", ["evil.example/p/{pk}/", "look: evil.example/p/{pk}", "x/p/{pk}/"])
def test_a_link_to_another_sites_post_path_is_only_text(alice, bob, text):
    post = PostFactory(author=bob)
    _, message = services.conversation_create(sender=alice, recipients=[bob], text=text.format(pk=post.pk))
    assert message.kind == "text" and message.post_id is None


def test_a_link_to_a_post_after_a_space_still_shares_it(alice, bob):
    post = PostFactory(author=bob)
    _, message = services.conversation_create(sender=alice, recipients=[bob], text=f"look /p/{post.pk}/")
    assert message.kind == "post" and message.post_id == post.pk


def test_a_deleted_request_comes_back_to_the_inbox_when_its_person_now_follows_the_sender(alice, bob, follows):
    conversation, _ = services.conversation_create(sender=alice, recipients=[bob], text="first")
    services.request_delete(user=bob, conversation_id=conversation.pk)
    follows(bob, alice)
    again = services.message_send(sender=alice, conversation=conversation, text="again")
    member = Participant.objects.get(user=bob, conversation=conversation)
    assert member.state == "inbox" and member.visible_from_id == again.pk


def test_nobody_blocked_either_way_learns_that_you_saw_their_message(alice, bob, charlie, follows, published):
    follows(bob, alice)
    follows(charlie, alice)
    group, message = services.conversation_create(sender=alice, recipients=[bob, charlie], text="hi")
    services.request_accept(user=bob, conversation_id=group.pk)
    services.request_accept(user=charlie, conversation_id=group.pk)
    last = services.message_send(sender=alice, conversation=group, text="news")
    BlockFactory(blocker=alice, blocked=bob)  # alice blocked bob
    published.clear()
    services.conversation_seen(user=bob, conversation_id=group.pk)
    assert [(ids, e["type"]) for ids, e in published if e["type"] == "seen"] == [([charlie.pk], "seen")]
    thread = selectors.thread_get(alice, selectors.participant_get(alice, group.pk))
    assert selectors.seen_line(alice, thread.members, group, thread.messages[-1]) == ""
    services.conversation_seen(user=charlie, conversation_id=group.pk)
    thread = selectors.thread_get(alice, selectors.participant_get(alice, group.pk))
    assert thread.messages[-1].pk == last.pk
    # charlie only: bob is hidden, so it is not "everyone" either
    assert selectors.seen_line(alice, thread.members, group, thread.messages[-1]) == "Seen by charlie"


def test_a_one_to_one_seen_by_someone_who_blocked_you_says_nothing(alice, bob, follows, published):
    follows(bob, alice)
    conversation, message = services.conversation_create(sender=alice, recipients=[bob], text="hi")
    BlockFactory(blocker=bob, blocked=alice)
    published.clear()
    services.conversation_seen(user=bob, conversation_id=conversation.pk)
    assert [e for _, e in published if e["type"] == "seen"] == []
    thread = selectors.thread_get(alice, selectors.participant_get(alice, conversation.pk))
    assert selectors.seen_line(alice, thread.members, conversation, thread.messages[-1]) == ""


def test_a_thread_whose_last_message_is_from_someone_you_blocked_is_not_unread(alice, bob, follows):
    follows(alice, bob)
    conversation, _ = services.conversation_create(sender=bob, recipients=[alice], text="hi")
    assert selectors.unread_threads_count(alice) == 1
    BlockFactory(blocker=alice, blocked=bob)
    cache.clear()
    assert selectors.unread_badge_count(alice) == 0
    row = selectors.threads_page(alice).items[0]
    assert row.conversation_id == conversation.pk and not row.unread
