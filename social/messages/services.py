"""Writes for direct messages, HackSoft style: keyword-only arguments, validated, one transaction
each, `DirectError` (an instaclone DomainError, with the HTTP status a view answers) when refused.

- `conversation_create`: a new conversation (a one-to-one, unique per pair through `pair_key`, or a
  group of up to DIRECT_GROUP_MAX people) with its first message; a one-to-one that exists already
  just gets the message. Only people the sender may see (`User.objects.visible_to`: active, no block
  either way). Each recipient who does not follow the sender gets it as a **request**. New
  conversations are rate-limited per sender (DIRECT_NEW_CONVERSATION_RATE, and
  DIRECT_REQUEST_RATE for those that land in someone's requests).
- `message_send`: a text, a photo (the posts' image pipeline: sniffed, EXIF stripped, capped;
  stored under the private `direct/` folder, posts.media_access.DIRECT_FOLDER), a shared post (also
  found in a pasted link to a post) or a story reply. A one-to-one whose other person the sender may
  not see refuses (a block stops messages both ways). A member who deleted a one-to-one request
  gets it back as a request (Instagram's behaviour). Sending accepts your own pending request.
- `conversation_seen`, `request_accept` / `request_delete` / `request_block`, `message_delete` (for
  everyone: the content cleared, the file deleted on commit, the row kept for reports),
  `group_rename`, `group_add`, `group_leave`, and the purge of a deleted account's messages.

Live updates (instaclone.live, sent on commit, ids only): {"type": "message"} to the members on a new
message, {"type": "message_deleted"} on a delete, {"type": "seen"} to the others when someone saw
up to a message, {"type": "badge", "badge": "messages"} to whoever's unread count may have changed
(whose cached count is forgotten, `badge_changed`).
"""

from __future__ import annotations

import math
import re
import time
from urllib.parse import urlsplit

from allauth.core.internal.ratelimit import apply_rate, parse_rates
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Case, Exists, Max, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Greatest
from django.http.request import validate_host
from django.utils import timezone

from accounts.models import Follow, User
from accounts.services import graph
from instaclone import live
from instaclone.errors import DomainError
from instaclone.media.files import delete_on_commit, stored_files
from instaclone.media.images import process_image
from instaclone.media.renditions import rendition_names
from posts.media_access import DIRECT_FOLDER
from posts.models import Post, Story

from ..models import Report
from .models import Conversation, Message, Participant
from .selectors import ACTIVE_STATES, pair_key, settings_group_max, unread_cache_key

TEXT_MAX_LENGTH = Message._meta.get_field("text").max_length
NAME_MAX_LENGTH = Conversation._meta.get_field("name").max_length
PHOTO_FOLDER = f"{DIRECT_FOLDER}/photos"
PHOTO_MAX_EDGE = 1080  # Instagram sends chat photos at about this size; the pipeline caps and strips


class DirectError(DomainError):
    """A refused direct-message action; `status` is what a view answers (400 unless said)."""

    status = 400


class DirectNotFound(DirectError):
    """Nothing the person may reach (not a member, someone they may not see): 404."""

    status = 404
    default_message = "That conversation isn't available."


class DirectNotAllowed(DirectError):
    status = 403


class DirectRateLimited(DirectError):
    """Too many new conversations (or requests) lately; `retry_after` in seconds."""

    status = 429

    def __init__(self, message: str, retry_after: float):
        super().__init__(message, code="rate_limited")
        self.retry_after = math.ceil(retry_after)


# --- helpers -----------------------------------------------------------------------------------


def badge_changed(*user_ids: int) -> None:
    """The Direct badge of these people may have changed: their cached count is forgotten (now and
    at commit) and their open pages are told (`{"type": "badge", "badge": "messages"}`)."""
    ids = sorted(set(user_ids))
    if not ids:
        return
    keys = [unread_cache_key(i) for i in ids]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))
    live.publish(ids, {"type": "badge", "badge": "messages"})


def _newlines(text: str) -> str:
    """Browsers submit a textarea's line breaks as CRLF but count them as one character for
    `maxlength`: lengths are checked, and text stored, with "\n" only."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _clean_text(text: str | None) -> str:
    text = _newlines(text or "").strip()
    if "\x00" in text:  # PostgreSQL cannot store it
        raise DirectError("Messages can't contain null characters.", code="null_characters", field="text")
    if len(text) > TEXT_MAX_LENGTH:
        raise DirectError(
            f"Messages can be at most {TEXT_MAX_LENGTH:,} characters (this one has {len(text):,}).",
            code="too_long", field="text",
        )
    return text


def _clean_name(name: str | None) -> str:
    name = " ".join(_newlines(name or "").split())
    if "\x00" in name:
        raise DirectError("Group names can't contain null characters.", code="null_characters", field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise DirectError(f"Group names can be at most {NAME_MAX_LENGTH} characters.", code="name_too_long", field="name")
    return name


# "https://<host>/p/12/", or "/p/12/" standing alone (at the start or after a space: in
# "evil.example/p/12/" the path is another site's, not ours)
_POST_LINK = re.compile(r"(?:https?://([^/\s]+)|(?<!\S))/p/([1-9][0-9]{0,17})/?(?=[\s?#]|$)")


def _linked_post_id(text: str) -> int | None:
    """The id of a post this site links to in `text` (a pasted link: "/p/12/" or
    "https://<one of ALLOWED_HOSTS>/p/12/"), if any; other sites' links are text."""
    for match in _POST_LINK.finditer(text):
        host = match.group(1)
        if host is None or validate_host(urlsplit(f"//{host}").hostname or "", settings.ALLOWED_HOSTS):
            return int(match.group(2))
    return None


def _shareable_post(sender: User, post_id: int) -> Post:
    post = Post.objects.visible_to(sender, published_only=True).filter(pk=post_id).first()
    if post is None:
        raise DirectError("This post is unavailable.", code="post_unavailable")
    return post


def _visible_story(viewer: User, story_id: int) -> Story:
    # published_only: nobody replies to a story hidden by moderators (its author and staff still see it)
    story = Story.objects.visible_to(viewer, published_only=True).select_related("author").filter(pk=story_id).first()
    if story is None:
        raise DirectNotFound("This story is no longer available.", code="story_unavailable")
    return story


class _Content:
    """A message's content, validated before anything is stored."""

    def __init__(self, *, sender: User, text: str, photo=None, post_id: int | None = None, story: Story | None = None):
        self.text = _clean_text(text)
        self.photo = None
        self.post = None
        self.story = story
        if photo is not None:
            # decoded and re-encoded without metadata, at most PHOTO_MAX_EDGE on its long side
            self.photo, img = process_image(photo, max_edge=PHOTO_MAX_EDGE)
            img.close()
        elif story is None and post_id is not None:
            self.post = _shareable_post(sender, post_id)
        elif story is None and (linked := _linked_post_id(self.text)) is not None:
            # a pasted link to a post the sender may see shares it (else it stays a link in the text)
            self.post = Post.objects.visible_to(sender, published_only=True).filter(pk=linked).first()
            if self.post is not None and _POST_LINK.fullmatch(self.text):
                self.text = ""  # just the link: the card says it
        if not (self.text or self.photo or self.post or self.story):
            raise DirectError("Write a message.", code="empty", field="text")

    @property
    def kind(self) -> str:
        if self.photo is not None:
            return Message.Kind.PHOTO
        if self.post is not None:
            return Message.Kind.POST
        if self.story is not None:
            return Message.Kind.STORY_REPLY
        return Message.Kind.TEXT


def _conversation_lock(conversation_id: int) -> None:
    """Lock the conversation's row until the transaction ends: one writer of its messages at a time.
    Message ids come from a sequence at INSERT, but transactions commit in any order; without this
    a message with a smaller id could commit after a larger one, and a live catch-up that already
    asked for "newer than the larger" would never see it."""
    Conversation.objects.select_for_update().filter(pk=conversation_id).values_list("pk").first()


def _write_message(*, sender: User, conversation: Conversation, content: _Content, batch) -> Message:
    """Store the message (inside the caller's transaction and file batch) and move the conversation:
    its last message, every member's `last_activity`, a one-to-one request the recipient deleted
    back (as a request, or into the inbox if they follow the sender now), the sender's seen mark and
    an own pending request accepted. The conversation's row is locked before anything is written
    (`_conversation_lock`), so its message ids commit in order; a photo is stored before that (no
    lock held while the storage works)."""
    file_name = ""
    if content.photo is not None:
        file_name = batch.save(PHOTO_FOLDER, content.photo.extension, content.photo.content)
    _conversation_lock(conversation.pk)
    message = Message.objects.create(
        conversation=conversation, sender=sender, kind=content.kind, text=content.text, file=file_name,
        width=content.photo.width if content.photo else 0, height=content.photo.height if content.photo else 0,
        post=content.post, story=content.story,
    )
    Conversation.objects.filter(pk=conversation.pk).filter(
        Q(last_message__isnull=True) | Q(last_message_id__lt=message.pk)
    ).update(last_message=message)
    conversation.last_message = message
    members = Participant.objects.filter(conversation_id=conversation.pk)
    if not conversation.is_group:
        # deleting a request hides it; a new message from the same person brings it back, new from here
        follows_sender = Exists(Follow.objects.filter(follower_id=OuterRef("user_id"), followee_id=sender.pk))
        members.filter(state=Participant.State.LEFT).exclude(user_id=sender.pk).update(
            state=Case(When(follows_sender, then=Value(Participant.State.INBOX)), default=Value(Participant.State.REQUEST)),
            visible_from_id=message.pk,
        )
    members.exclude(state=Participant.State.LEFT).filter(last_activity__lt=message.created).update(
        last_activity=message.created
    )
    members.filter(user_id=sender.pk).update(
        state=Participant.State.INBOX, last_read_id=Greatest("last_read_id", message.pk)
    )
    member_ids = list(members.exclude(state=Participant.State.LEFT).values_list("user_id", flat=True))
    live.publish(member_ids, {"type": "message", "conversation": conversation.pk, "message": message.pk})
    badge_changed(*[i for i in member_ids if i != sender.pk])
    return message


def _refuse_unless_reachable(sender: User, conversation: Conversation) -> None:
    """A one-to-one needs the other person, visible to the sender (active, no block either way)."""
    if conversation.is_group:
        return
    other = Participant.objects.filter(conversation_id=conversation.pk).exclude(user_id=sender.pk).values_list(
        "user_id", flat=True
    ).first()
    if other is None or not User.objects.visible_to(sender).filter(pk=other).exists():
        raise DirectNotAllowed("You can't message this account.", code="unreachable")


# --- rate limits -------------------------------------------------------------------------------


def _rates(sender: User, *, requests: int) -> list[tuple]:
    """(rate, cache key, what it limits, hits) of the limits an action counts against, in allauth's
    rate format ("20/h", "10/10m,20/h"): one new conversation, and one message request per person
    it lands in Requests for (a group of 31 strangers is 31 requests)."""
    limits = [("new", "new conversations", getattr(settings, "DIRECT_NEW_CONVERSATION_RATE", "20/h"), 1)]
    if requests:
        limits.append(("request", "message requests", getattr(settings, "DIRECT_REQUEST_RATE", "50/d"), requests))
    return [
        (rate, f"direct:{name}:{sender.pk}:{rate.amount}/{rate.duration}", what, hits)
        for name, what, rates, hits in limits
        for rate in parse_rates(rates)
    ]


def _rate_check(sender: User, *, requests: int) -> list[tuple]:
    """Raise DirectRateLimited when the action would exceed a limit; else what to count.
    allauth's sliding window (`apply_rate` drops the expired times) on the cache, as posts'
    creation limit, with several hits at once; a cache outage reads as no history (the limit fails
    open). Checked before the write and counted after it (`_rate_count`), not atomically: a few
    requests of one sender at the same instant may each pass the check (the overshoot is bounded
    by how many they send at once; a cache has no transaction to count inside)."""
    now = time.time()
    counted = []
    for rate, key, what, hits in _rates(sender, requests=requests):
        _, history = apply_rate(list(cache.get(key) or []), now, rate, dry_run=True)  # newest first
        if hits > rate.amount:
            raise DirectError(
                f"You can send at most {rate.amount} {what} at once. Nothing was sent; choose fewer people.",
                code="rate_too_many", field="to",
            )
        if len(history) + hits > rate.amount:
            # the time when enough of the oldest hits leave the window
            wait = history[rate.amount - hits] + rate.duration - now
            minutes = max(1, math.ceil(wait / 60))
            when = f"in {minutes} minute{'s' if minutes != 1 else ''}" if minutes < 120 else f"in {math.ceil(minutes / 60)} hours"
            raise DirectRateLimited(
                f"You've started a lot of {what} lately. Nothing was sent; try again {when}.", wait
            )
        counted.append((rate, key, hits))
    return counted


def _rate_count(counted: list[tuple]) -> None:
    now = time.time()
    for rate, key, hits in counted:
        _, history = apply_rate(list(cache.get(key) or []), now, rate, dry_run=True)
        cache.set(key, [now] * hits + history, int(rate.duration) + 1)


# --- conversations and messages ------------------------------------------------------------------


def _member_states(sender: User, recipients: list[User]) -> dict[int, str]:
    """Inbox for those who follow the sender, a request for everyone else (one query)."""
    follow_back = set(
        Follow.objects.filter(followee_id=sender.pk, follower_id__in=[u.pk for u in recipients]).values_list(
            "follower_id", flat=True
        )
    )
    return {u.pk: Participant.State.INBOX if u.pk in follow_back else Participant.State.REQUEST for u in recipients}


def _recipients(sender: User, people) -> list[User]:
    ids = sorted({int(getattr(p, "pk", p)) for p in people} - {sender.pk})
    if not ids:
        raise DirectError("Choose who to send it to.", code="no_recipients", field="to")
    if len(ids) > settings_group_max() - 1:
        raise DirectError(f"A group can have at most {settings_group_max()} people, you included.", code="group_full", field="to")
    found = list(User.objects.visible_to(sender).filter(pk__in=ids).order_by("pk"))
    if len(found) != len(ids):
        raise DirectNotFound("You can't message this account.", code="unreachable")
    return found


def conversation_create(
    *, sender: User, recipients, name: str = "", text: str = "", photo=None, post_id: int | None = None,
    story: Story | None = None,
) -> tuple[Conversation, Message | None]:
    """Start a conversation with `recipients` (Users or ids) and send its first message: one person
    is a one-to-one (the existing one when there is one: then this is `message_send`), more a group
    (`name` optional; the message too). Returns (conversation, message or None)."""
    people = _recipients(sender, recipients)
    is_group = len(people) > 1
    name = _clean_name(name) if is_group else ""
    if not is_group:
        existing = Conversation.objects.filter(pair_key=pair_key(sender.pk, people[0].pk)).first()
        if existing is not None:
            return existing, _send(sender=sender, conversation=existing, text=text, photo=photo, post_id=post_id,
                                   story=story, membership_checked=False)
    content = None
    if not is_group or text or photo is not None or post_id is not None or story is not None:
        content = _Content(sender=sender, text=text, photo=photo, post_id=post_id, story=story)
    states = _member_states(sender, people)
    counted = _rate_check(sender, requests=sum(state == Participant.State.REQUEST for state in states.values()))
    with stored_files() as batch:
        try:
            with transaction.atomic():
                conversation = Conversation.objects.create(
                    is_group=is_group, name=name, created_by=sender,
                    pair_key=None if is_group else pair_key(sender.pk, people[0].pk),
                )
                Participant.objects.bulk_create(
                    [Participant(conversation=conversation, user=sender, state=Participant.State.INBOX)]
                    + [Participant(conversation=conversation, user=u, state=states[u.pk]) for u in people]
                )
                message = None
                if content is not None:
                    message = _write_message(sender=sender, conversation=conversation, content=content, batch=batch)
                else:
                    badge_changed(*[u.pk for u in people])
        except IntegrityError:
            # the same two people started their one-to-one at the same moment: theirs won; send into it
            existing = Conversation.objects.filter(pair_key=pair_key(sender.pk, people[0].pk)).first()
            if is_group or existing is None:
                raise
            batch.discard()
            return existing, _send(sender=sender, conversation=existing, text=text, photo=photo, post_id=post_id,
                                   story=story, membership_checked=False)
    _rate_count(counted)
    return conversation, message


def message_send(
    *, sender: User, conversation: Conversation, text: str = "", photo=None, post_id: int | None = None,
    story: Story | None = None,
) -> Message:
    """Send a message into a conversation the sender is a member of (inbox or request)."""
    return _send(sender=sender, conversation=conversation, text=text, photo=photo, post_id=post_id, story=story)


def _send(*, sender, conversation, text, photo, post_id, story, membership_checked: bool = True) -> Message:
    member = Participant.objects.filter(conversation_id=conversation.pk, user_id=sender.pk).first()
    if member is None or (member.state not in ACTIVE_STATES and (membership_checked or conversation.is_group)):
        raise DirectNotFound()
    _refuse_unless_reachable(sender, conversation)
    content = _Content(sender=sender, text=text, photo=photo, post_id=post_id, story=story)
    with stored_files() as batch, transaction.atomic():
        # (your own deleted request, started again by you, comes back to your inbox: _write_message)
        return _write_message(sender=sender, conversation=conversation, content=content, batch=batch)


def story_reply(*, sender: User, story_id: int, text: str) -> tuple[Conversation, Message]:
    """Reply to a story the sender may see (`Story.objects.visible_to`): a story_reply message,
    quoting it, in the one-to-one with its author (opened if new: request rules and rate limits
    apply). Your own story refuses."""
    story = _visible_story(sender, story_id)
    if story.author_id == sender.pk:
        raise DirectError("You can't reply to your own story.", code="own_story")
    if not _clean_text(text):
        raise DirectError("Write a reply.", code="empty", field="text")
    conversation, message = conversation_create(sender=sender, recipients=[story.author], text=text, story=story)
    return conversation, message


# --- seen, requests ----------------------------------------------------------------------------


def _membership(user: User, conversation_id: int, *, states=ACTIVE_STATES, lock: bool = False) -> Participant:
    qs = Participant.objects.select_related("conversation").filter(
        conversation_id=conversation_id, user_id=user.pk, state__in=states
    )
    if lock:
        qs = qs.select_for_update(of=("self",))
    member = qs.first()
    if member is None:
        raise DirectNotFound()
    return member


def _seen_told(conversation_id: int, reader: User) -> list[int]:
    """Who is told that `reader` saw the conversation: the other members still in it whom the reader
    may see (`User.objects.visible_to(reader)`): nobody the reader blocked or who blocked them."""
    return list(
        Participant.objects.filter(conversation_id=conversation_id, user__in=User.objects.visible_to(reader))
        .exclude(user_id=reader.pk)
        .exclude(state=Participant.State.LEFT)
        .values_list("user_id", flat=True)
    )


def _seen(member: Participant, up_to: int | None, *, reader: User) -> bool:
    last = member.conversation.last_message_id or 0
    up_to = last if up_to is None else min(int(up_to), last)
    if up_to <= member.last_read_id:
        return False
    changed = Participant.objects.filter(pk=member.pk, last_read_id__lt=up_to).update(last_read_id=up_to)
    if changed:
        conversation_id = member.conversation_id
        live.publish(
            _seen_told(conversation_id, reader),
            {"type": "seen", "conversation": conversation_id, "user": member.user_id, "message": up_to},
        )
        badge_changed(member.user_id)
    return bool(changed)


@transaction.atomic
def conversation_seen(*, user: User, conversation_id: int, message_id: int | None = None) -> bool:
    """The person has seen the conversation up to `message_id` (default: its last message; never past
    it). Only from their inbox: a request is not marked seen until accepted (Instagram: "they won't
    know you've seen it")."""
    member = _membership(user, conversation_id, states=(Participant.State.INBOX,))
    return _seen(member, message_id, reader=user)


@transaction.atomic
def request_accept(*, user: User, conversation_id: int) -> bool:
    """A message request moves to the inbox, seen up to its last message."""
    member = _membership(user, conversation_id, lock=True)
    if member.state != Participant.State.REQUEST:
        return False
    Participant.objects.filter(pk=member.pk).update(state=Participant.State.INBOX)
    member.state = Participant.State.INBOX
    _seen(member, None, reader=user)
    badge_changed(user.pk)
    return True


@transaction.atomic
def request_delete(*, user: User, conversation_id: int) -> bool:
    """Delete a message request: it leaves Requests (state left) and its history stays hidden; a new
    message from the same person brings it back as a request (a group's, never)."""
    member = _membership(user, conversation_id, states=(Participant.State.REQUEST,), lock=True)
    Participant.objects.filter(pk=member.pk).update(state=Participant.State.LEFT)
    return True


def request_block(*, user: User, conversation_id: int) -> User | None:
    """Block the person behind a one-to-one request (accounts' block_create: follows and requests
    both ways go) and delete the request. Returns the person blocked."""
    with transaction.atomic():
        member = _membership(user, conversation_id, states=(Participant.State.REQUEST,), lock=True)
        if member.conversation.is_group:
            raise DirectError("Delete the group request instead; block people from their profile.", code="group")
        other = User.objects.filter(
            pk__in=Participant.objects.filter(conversation_id=conversation_id).exclude(user_id=user.pk).values("user_id")
        ).first()
        if other is not None:
            try:
                graph.block_create(blocker=user, blocked=other)
            except graph.NotVisibleError:
                other = None  # an inactive account: nothing to block; the request still goes
        Participant.objects.filter(pk=member.pk).update(state=Participant.State.LEFT)
    return other


# --- deleting ----------------------------------------------------------------------------------


def message_soft_delete(*, message: Message, hold_for_reports: bool = False) -> bool:
    """Delete a message for everyone (its sender's delete, a moderator's): the content cleared, its
    file deleted once committed, the row kept (a report keeps its target), the conversation's last
    message moved back, and the members told. False when it was deleted already.

    `hold_for_reports` (the sender's delete): while an open report is about the message, its content
    and file stay on the row for the moderators' preview (every member's list skips a deleted
    message, so nobody else sees it); they go when its last open report is handled
    (`messages_held_release`, called by social.moderation)."""
    with transaction.atomic():
        row = Message.objects.select_for_update().filter(pk=message.pk, deleted_at__isnull=True).first()
        if row is None:
            return False
        now = timezone.now()
        if hold_for_reports and Report.objects.filter(message_id=row.pk, status=Report.Status.OPEN).exists():
            Message.objects.filter(pk=row.pk).update(deleted_at=now)
        else:
            _content_clear([row.pk], deleted_at=now)
            delete_on_commit(*[n for n in (row.file, *rendition_names(row.renditions)) if n])
        previous = (
            Message.objects.filter(conversation_id=row.conversation_id, deleted_at__isnull=True, pk__lt=row.pk)
            .order_by("-pk").values("pk")[:1]
        )
        Conversation.objects.filter(pk=row.conversation_id, last_message_id=row.pk).update(last_message=Subquery(previous))
        members = list(
            Participant.objects.filter(conversation_id=row.conversation_id)
            .exclude(state=Participant.State.LEFT).values_list("user_id", flat=True)
        )
        live.publish(members, {"type": "message_deleted", "conversation": row.conversation_id, "message": row.pk})
        badge_changed(*[i for i in members if i != row.sender_id])
    message.deleted_at = timezone.now()
    return True


def _content_clear(ids, **extra) -> int:
    return Message.objects.filter(pk__in=list(ids)).update(
        text="", file="", renditions={}, storage_id="", width=0, height=0, post=None, story=None, **extra
    )


def messages_held_release(*, message_ids) -> int:
    """Deleted messages whose content was held for an open report (`message_soft_delete`) and that
    no open report is about any more: their content is cleared and their files deleted on commit.
    social.moderation calls it whenever it closes reports; how many were cleared."""
    ids = {int(i) for i in message_ids if i}
    if not ids:
        return 0
    with transaction.atomic():
        rows = list(
            Message.objects.select_for_update().filter(pk__in=ids, deleted_at__isnull=False)
            .exclude(pk__in=Report.objects.filter(message_id__in=ids, status=Report.Status.OPEN).values("message_id"))
            .filter(~Q(text="") | ~Q(file="") | Q(post__isnull=False) | Q(story__isnull=False))
            .values_list("pk", "file", "renditions")
        )
        if not rows:
            return 0
        _content_clear([pk for pk, _, _ in rows])
        delete_on_commit(*[n for _, file, renditions in rows for n in (file, *rendition_names(renditions)) if n])
    return len(rows)


def message_delete(*, user: User, message: Message) -> bool:
    """The sender deletes their own message for everyone (held for the moderators while a report on
    it is open); anyone else is refused (403)."""
    if message.sender_id != user.pk:
        raise DirectNotAllowed("You can only delete your own messages.", code="not_yours")
    return message_soft_delete(message=message, hold_for_reports=True)


# --- groups ------------------------------------------------------------------------------------


def _group_member(user: User, conversation_id: int, *, lock: bool = False) -> Participant:
    member = _membership(user, conversation_id, states=(Participant.State.INBOX,), lock=lock)
    if not member.conversation.is_group:
        raise DirectError("That is a conversation between two people, not a group.", code="not_group")
    return member


@transaction.atomic
def group_rename(*, user: User, conversation_id: int, name: str) -> Conversation:
    """Name (or, with "", unname) a group the person is in."""
    member = _group_member(user, conversation_id)
    name = _clean_name(name)
    Conversation.objects.filter(pk=conversation_id).update(name=name)
    member.conversation.name = name
    return member.conversation


def group_add(*, user: User, conversation_id: int, people) -> list[User]:
    """Add people (Users or ids) the adder may see to a group they are in (from their inbox: a
    member whose group is still a request gets 404), up to DIRECT_GROUP_MAX members. Each sees the
    messages from now on; those who do not follow the adder get it as a request. Someone who left
    comes back. Rate-limited as a new conversation of the adder's, with one message request per
    person it lands in Requests for. Returns the people added."""
    with transaction.atomic():
        _group_member(user, conversation_id)
        # one add at a time, and no message between reading the newest id and the new members' rows
        _conversation_lock(conversation_id)
        rows = {p.user_id: p for p in Participant.objects.filter(conversation_id=conversation_id)}
        active = {uid for uid, p in rows.items() if p.state != Participant.State.LEFT}
        wanted = {int(getattr(p, "pk", p)) for p in people} - active
        if not wanted:
            raise DirectError("Choose people who aren't in the group yet.", code="no_recipients", field="to")
        if len(active) + len(wanted) > settings_group_max():
            raise DirectError(f"A group can have at most {settings_group_max()} people.", code="group_full", field="to")
        found = list(User.objects.visible_to(user).filter(pk__in=wanted).order_by("pk"))
        if len(found) != len(wanted):
            raise DirectNotFound("You can't add this account.", code="unreachable")
        states = _member_states(user, found)
        counted = _rate_check(user, requests=sum(state == Participant.State.REQUEST for state in states.values()))
        start = (Message.objects.filter(conversation_id=conversation_id).aggregate(m=Max("pk"))["m"] or 0) + 1
        now = timezone.now()
        for person in found:
            if person.pk in rows:
                Participant.objects.filter(pk=rows[person.pk].pk).update(
                    state=states[person.pk], visible_from_id=start, last_read_id=start - 1, last_activity=now
                )
            else:
                Participant.objects.create(
                    conversation_id=conversation_id, user=person, state=states[person.pk], visible_from_id=start,
                    last_read_id=start - 1,
                )
        badge_changed(*[p.pk for p in found])
    _rate_count(counted)
    return found


@transaction.atomic
def group_leave(*, user: User, conversation_id: int) -> None:
    """Leave a group: it leaves the person's inbox and they get no more of its messages."""
    member = _membership(user, conversation_id, lock=True)
    if not member.conversation.is_group:
        raise DirectError("You can only leave groups.", code="not_group")
    Participant.objects.filter(pk=member.pk).update(state=Participant.State.LEFT)
    badge_changed(user.pk)


# --- account purge (social/purge.py) ------------------------------------------------------------


def account_messages_purge(*, user_id: int, batch: int = 500) -> dict[str, int]:
    """Everything of a purged person's in Direct (issue 15's rule: each layer its own rows, batched,
    files on commit): their messages (the others' last messages moved back), their memberships (a
    one-to-one request they sent goes from the other's Requests; the others' badges forgotten), the
    conversations nobody is left in (no member, or only members who left: nobody can read or
    revive them) with their messages and files, and their name on conversations they started. A
    conversation with a reported message stays (the report keeps its target). Idempotent."""
    conversation_ids = list(Participant.objects.filter(user_id=user_id).values_list("conversation_id", flat=True))
    messages = 0
    while True:
        with transaction.atomic():
            rows = list(
                Message.objects.select_for_update().filter(sender_id=user_id).order_by("pk")
                .values_list("pk", "conversation_id", "file", "renditions")[:batch]
            )
            if not rows:
                break
            Message.objects.filter(pk__in=[r[0] for r in rows]).delete()
            names = [n for _, _, file, renditions in rows for n in (file, *rendition_names(renditions)) if n]
            delete_on_commit(*names)
            _last_messages_repair({r[1] for r in rows})
            messages += len(rows)
    with transaction.atomic():
        others = list(
            Participant.objects.filter(conversation_id__in=conversation_ids).exclude(user_id=user_id)
            .exclude(state=Participant.State.LEFT).values_list("user_id", flat=True)
        )
        Participant.objects.filter(
            conversation_id__in=conversation_ids, conversation__is_group=False, state=Participant.State.REQUEST
        ).exclude(user_id=user_id).update(state=Participant.State.LEFT)
        memberships, _ = Participant.objects.filter(user_id=user_id).delete()
        Conversation.objects.filter(created_by_id=user_id).update(created_by=None)
        badge_changed(*others)
    emptied = 0
    for pk in conversation_ids:
        with transaction.atomic():
            if Participant.objects.filter(conversation_id=pk).exclude(state=Participant.State.LEFT).exists():
                continue
            if Report.objects.filter(message__conversation_id=pk).exists():
                continue  # a report keeps its message (Report.message would cascade away with it)
            names = [
                n for file, renditions in Message.objects.filter(conversation_id=pk).values_list("file", "renditions")
                for n in (file, *rendition_names(renditions)) if n
            ]
            Conversation.objects.filter(pk=pk).update(last_message=None)
            emptied += Conversation.objects.filter(pk=pk).delete()[1].get(Conversation._meta.label, 0)
            delete_on_commit(*names)
    return {"messages": messages, "memberships": memberships, "conversations": emptied}


def _last_messages_repair(conversation_ids) -> None:
    """Conversations whose last message was just deleted (SET_NULL) point at their newest left."""
    newest = (
        Message.objects.filter(conversation_id=OuterRef("pk"), deleted_at__isnull=True).order_by("-pk").values("pk")[:1]
    )
    Conversation.objects.filter(pk__in=list(conversation_ids), last_message__isnull=True).update(last_message=Subquery(newest))

