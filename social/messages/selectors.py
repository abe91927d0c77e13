"""Reads for direct messages: the inbox and requests (keyset on the participant's
(last_activity, id)), one conversation for one of its members, its history (keyset on the message
id, newest first, shown oldest first), the live catch-up, the nav's unread count, and the few
messages a report keeps as context.

Who may read what: a conversation exists only for its members whose state is inbox or request
(`participant_get`: anyone else, a member who left, and a bad id get 404), and a member sees the
messages from their `visible_from_id` on, deleted ones left out. People are shown through
`User.objects.visible_to`'s rule (`visible_profiles_q`, as a column of the same query): a member or
sender the viewer may not see (suspended, deactivated, blocked either way) is shown as
"Instaclone user", without name, avatar or link, and their messages stay in the thread's history
(as on Instagram). A shared post is shown only when `Post.objects.visible_to(viewer)` has it, a
story reply's story only while `Story.objects.visible_to(viewer)` has it.

Query counts (pinned in social/tests/messages/test_selectors.py, the same for 1 and many rows):
the inbox and requests pages 2 (the participants with their conversations and last messages;
the other members), a conversation page 3 (the member, the members, the messages) plus 2 when the
page shows shared posts (the posts through the rule, their media) and 1 when it shows story replies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import BooleanField, ExpressionWrapper, F, Q
from django.http import Http404

from accounts.models import Block, User
from accounts.visibility import visible_profiles_q
from instaclone.media.renditions import renders_on_the_fly
from instaclone.media.urls import file_url, transformed_url
from instaclone.pagination import MAX_ID, Page, keyset_page

from .models import Conversation, Message, Participant

INBOX_PAGE_SIZE = 20
MESSAGES_PAGE_SIZE = 30
AFTER_LIMIT = 100  # the live catch-up: at most this many newer messages at once (the page reloads past it)
UNREAD_BADGE_CAP = 100  # the nav shows "99+" beyond; the count stops there
UNREAD_CACHE_SECONDS = 60
REPORT_CONTEXT_BEFORE = 5  # a report keeps this many messages before the reported one and after it
REPORT_CONTEXT_AFTER = 2
GROUP_TITLE_NAMES = 3
UNKNOWN_PERSON = "Instaclone user"

ACTIVE_STATES = (Participant.State.INBOX, Participant.State.REQUEST)


def _shown(viewer, prefix: str) -> ExpressionWrapper:
    """Whether the viewer may see the person at `prefix`: `User.objects.visible_to`'s rule as a column."""
    return ExpressionWrapper(visible_profiles_q(viewer, prefix), output_field=BooleanField())


# --- people as the viewer may see them ------------------------------------------------------------


@dataclass
class Person:
    """A member or sender as the viewer sees them: `user` when visible (name, avatar, link), else
    None: "Instaclone user" with the default avatar and no link. `last_read_id` and `state` are the
    member's (the "Seen" line); a sender built by `attach` leaves them at their defaults."""

    user: User | None
    user_id: int
    last_read_id: int = 0
    state: str = Participant.State.INBOX

    @property
    def visible(self) -> bool:
        return self.user is not None

    @property
    def name(self) -> str:
        return self.user.username if self.user else UNKNOWN_PERSON

    @property
    def display_name(self) -> str:
        return (self.user.display_name or self.user.username) if self.user else UNKNOWN_PERSON

    @property
    def avatar_url(self) -> str:
        if self.user is not None:
            return self.user.avatar_url
        from accounts.avatars import default_avatar_url

        return default_avatar_url()

    @property
    def url(self) -> str:
        return self.user.get_absolute_url() if self.user else ""


def _person(participant: Participant) -> Person:
    user = participant.user if participant.user_visible else None
    return Person(user, participant.user_id, participant.last_read_id, participant.state)


def _members_of(viewer, conversation_ids) -> dict[int, list[Person]]:
    """The members of these conversations, each as the viewer may see them (one query), oldest
    member first; members who left a group are left out (a one-to-one keeps both)."""
    rows = (
        Participant.objects.filter(conversation_id__in=list(conversation_ids))
        .select_related("user", "conversation")
        .annotate(user_visible=_shown(viewer, "user"))
        .order_by("conversation_id", "pk")
    )
    members: dict[int, list[Person]] = {pk: [] for pk in conversation_ids}
    for row in rows:
        if row.state == Participant.State.LEFT and row.conversation.is_group:
            continue
        members[row.conversation_id].append(_person(row))
    return members


def conversation_title(conversation: Conversation, others: list[Person]) -> str:
    """A group's name, or its members' names ("ana, bo and 3 others"); a one-to-one's other person."""
    if conversation.is_group and conversation.name:
        return conversation.name
    if not others:
        return UNKNOWN_PERSON
    if not conversation.is_group:
        return others[0].name
    names = [p.name for p in others[:GROUP_TITLE_NAMES]]
    rest = len(others) - len(names)
    if rest:
        return f"{', '.join(names)} and {rest} other{'s' if rest != 1 else ''}"
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else names[0]


# --- inbox and requests -----------------------------------------------------------------------------


def _thread_rows(viewer, state: str):
    qs = (
        Participant.objects.filter(user_id=viewer.pk, state=state)
        .select_related("conversation", "conversation__last_message", "conversation__last_message__sender")
        .annotate(last_sender_visible=_shown(viewer, "conversation__last_message__sender"))
    )
    if state == Participant.State.REQUEST:
        qs = qs.filter(_request_shown_q(viewer))
    return qs


def _request_shown_q(viewer) -> Q:
    """A request shows while the viewer may see who sent its last message (a request from an account
    suspended, deactivated or blocked since goes away; a group created without a message shows)."""
    return Q(conversation__last_message__isnull=True) | visible_profiles_q(viewer, "conversation__last_message__sender")


def _decorate_threads(viewer, rows: list[Participant]) -> None:
    members = _members_of(viewer, {row.conversation_id for row in rows})
    for row in rows:
        conversation = row.conversation
        row.others = [p for p in members[conversation.pk] if p.user_id != viewer.pk]
        row.title = conversation_title(conversation, row.others)
        last = conversation.last_message
        if last is not None and last.pk < row.visible_from_id:
            last = None  # sent before they joined the group
        row.last = last
        row.last_from_me = last is not None and last.sender_id == viewer.pk
        row.last_sender_name = (
            "You" if row.last_from_me else (last.sender.username if last and row.last_sender_visible else UNKNOWN_PERSON)
        )
        # (a last message from someone the viewer may not see, e.g. blocked, is not "unread": as the badge)
        row.unread = last is not None and not row.last_from_me and last.pk > row.last_read_id and row.last_sender_visible


def threads_page(viewer, *, state: str = Participant.State.INBOX, cursor: str | None = None,
                 size: int = INBOX_PAGE_SIZE) -> Page:
    """A page of the viewer's conversations in `state` (inbox or requests), by last message, newest
    first: keyset on the participant's (last_activity, id), the index `participant_inbox_idx`.
    Two queries: the rows (their conversations, last messages and senders joined) and the members."""
    page = keyset_page(_thread_rows(viewer, state), cursor, size, created_field="last_activity")
    _decorate_threads(viewer, page.items)
    return page


def requests_count(viewer) -> int:
    """How many message requests wait for the viewer (one bounded query)."""
    qs = Participant.objects.filter(user_id=viewer.pk, state=Participant.State.REQUEST).filter(_request_shown_q(viewer))
    return qs[:UNREAD_BADGE_CAP].count()


def unread_threads_count(viewer) -> int:
    """Conversations in the viewer's inbox with a message newer than the last they saw, from someone
    the viewer may see (a thread whose last message is from someone they blocked does not count),
    in one bounded query; the viewer's own messages move their `last_read_id` as they send."""
    qs = Participant.objects.filter(
        user_id=viewer.pk, state=Participant.State.INBOX, conversation__last_message_id__gt=F("last_read_id")
    ).filter(visible_profiles_q(viewer, "conversation__last_message__sender"))
    return qs[:UNREAD_BADGE_CAP].count()


def unread_cache_key(user_id: int) -> str:
    return f"direct:unread:{user_id}"


def unread_badge_count(viewer) -> int:
    """The nav's Direct badge: `unread_threads_count`, cached per person for UNREAD_CACHE_SECONDS and
    forgotten by the services whenever it may change (services.badge_changed)."""
    key = unread_cache_key(viewer.pk)
    value = cache.get(key)
    if value is None:
        value = unread_threads_count(viewer)
        cache.set(key, value, UNREAD_CACHE_SECONDS)
    return value


# --- one conversation ---------------------------------------------------------------------------


def participant_get(viewer, conversation_id) -> Participant:
    """The viewer's membership of conversation `conversation_id` (its conversation joined), or 404:
    not a member, left, or no such conversation (one query)."""
    if not getattr(viewer, "is_authenticated", False) or type(conversation_id) is not int or not 0 < conversation_id <= MAX_ID:
        raise Http404("No such conversation.")
    row = (
        Participant.objects.select_related("conversation")
        .filter(conversation_id=conversation_id, user_id=viewer.pk, state__in=ACTIVE_STATES)
        .first()
    )
    if row is None:
        raise Http404("No such conversation.")
    return row


def message_get_for_member(viewer, message_id) -> Message:
    """A message the viewer may see (a member of its conversation, sent since they joined, not
    deleted), its sender joined, or 404 (one query): what a report or a delete starts from. Its
    `person` is its sender as the viewer may see them (the report page names them so)."""
    if not getattr(viewer, "is_authenticated", False) or type(message_id) is not int or not 0 < message_id <= MAX_ID:
        raise Http404("No such message.")
    message = (
        Message.objects.select_related("sender", "conversation")
        .filter(pk=message_id, deleted_at__isnull=True)
        .filter(
            conversation__participants__user_id=viewer.pk,
            conversation__participants__state__in=ACTIVE_STATES,
            pk__gte=F("conversation__participants__visible_from_id"),
        )
        .annotate(sender_visible=_shown(viewer, "sender"))
        .first()
    )
    if message is None:
        raise Http404("No such message.")
    message.person = Person(message.sender if message.sender_visible else None, message.sender_id)
    return message


def _history(viewer, participant: Participant):
    return (
        Message.objects.filter(
            conversation_id=participant.conversation_id, deleted_at__isnull=True, pk__gte=participant.visible_from_id
        )
        .select_related("sender")
        .annotate(sender_visible=_shown(viewer, "sender"))
    )


@dataclass
class Thread:
    """What the conversation page shows: the viewer's membership, the members as the viewer sees
    them, and a page of messages oldest first (`older_cursor`: the page before it)."""

    participant: Participant
    members: list[Person]
    messages: list[Message]
    older_cursor: str | None
    title: str = ""
    others: list[Person] = field(default_factory=list)

    @property
    def conversation(self) -> Conversation:
        return self.participant.conversation


def members_get(viewer, participant: Participant) -> list[Person]:
    return _members_of(viewer, [participant.conversation_id])[participant.conversation_id]


def thread_get(viewer, participant: Participant, *, cursor: str | None = None, size: int = MESSAGES_PAGE_SIZE) -> Thread:
    """A page of the conversation's history for the viewer: keyset on the message id, newest first
    (index `message_conversation_id_idx`), handed back oldest first, with each message's sender as
    the viewer may see them and its shared post or story read through their visibility rules."""
    members = members_get(viewer, participant)
    page = keyset_page(_history(viewer, participant), cursor, size, created_field=None)
    messages = list(reversed(page.items))
    attach(viewer, messages)
    others = [p for p in members if p.user_id != viewer.pk]
    return Thread(participant, members, messages, page.next_cursor, conversation_title(participant.conversation, others), others)


def messages_after(viewer, participant: Participant, after_id: int, limit: int = AFTER_LIMIT) -> list[Message]:
    """The messages newer than `after_id`, oldest first (the live catch-up), at most `limit`."""
    messages = list(_history(viewer, participant).filter(pk__gt=after_id).order_by("pk")[:limit])
    attach(viewer, messages)
    return messages


def messages_newest(viewer, participant: Participant) -> Message | None:
    """The newest message the viewer sees in the conversation (the "Seen" line's), or None."""
    return _history(viewer, participant).order_by("-pk").first()


def message_for_member(viewer, participant: Participant, message_id: int) -> Message:
    """One message of the participant's conversation as its page shows it (after sending it)."""
    messages = list(_history(viewer, participant).filter(pk=message_id))
    if not messages:
        raise Http404("No such message.")
    attach(viewer, messages)
    return messages[0]


def attach(viewer, messages: list[Message]) -> None:
    """`messages` oldest first. Each message's `person` (its sender as the viewer may see them),
    `starts_run` / `ends_run` (the first / last of one sender's run), `shared_post` (the shared
    post if `Post.objects.visible_to(viewer)` has it, with its media: else None, "This post is
    unavailable") and `quoted_story` (the story replied to while the viewer may see it). At most
    three queries, whatever the number of messages."""
    from posts.selectors import post_queryset, prefetch_media

    post_ids = {m.post_id for m in messages if m.post_id}
    posts = {}
    if post_ids:
        posts = {p.pk: p for p in post_queryset(viewer, published_only=True, with_media=False).filter(pk__in=post_ids)}
        prefetch_media(list(posts.values()))
    story_ids = {m.story_id for m in messages if m.story_id}
    stories = _visible_stories(viewer, story_ids) if story_ids else {}
    for before, m, after in zip([None, *messages], messages, [*messages[1:], None], strict=False):
        # runs of one sender's messages (Instagram draws one avatar and one time a run)
        m.starts_run = before is None or not _same_run(before, m)
        m.ends_run = after is None or not _same_run(m, after)
        m.person = Person(m.sender if getattr(m, "sender_visible", False) else None, m.sender_id)
        m.shared_post = posts.get(m.post_id)
        m.quoted_story = stories.get(m.story_id)
        m.photo_src = photo_url(m.file, PHOTO_WIDTH) if m.file else ""
        m.photo_full_src = file_url(m.file, private=True) if m.file else ""


RUN_GAP = timedelta(minutes=10)


def _same_run(earlier: Message, later: Message) -> bool:
    return earlier.sender_id == later.sender_id and later.created - earlier.created < RUN_GAP


PHOTO_WIDTH = 640  # a chat photo is shown at most ~320 CSS px wide


def photo_url(name: str, width: int) -> str:
    """A direct photo's URL: always signed and expiring (only the members' pages have it), at about
    `width` px where the storage resizes on the fly (ImageKit), else the stored photo (capped at
    services.PHOTO_MAX_EDGE)."""
    if renders_on_the_fly():
        return transformed_url(name, width, private=True)
    return file_url(name, private=True)


def story_thumb_url(story) -> str:
    """A quoted story's picture (a video's poster), signed for a private author's as the Stories
    pages sign it."""
    name = story.poster or (story.file if story.kind == "image" else "")
    return file_url(name, private=story.author.is_private) if name else ""


def _visible_stories(viewer, ids) -> dict:
    """The stories among `ids` the viewer may see now (`Story.objects.visible_to`, posts.stories),
    their authors joined."""
    from posts.models import Story

    stories = {s.pk: s for s in Story.objects.visible_to(viewer).select_related("author").filter(pk__in=ids)}
    for story in stories.values():
        story.thumb_src = story_thumb_url(story)
    return stories


def seen_line(viewer, thread_members: list[Person], conversation: Conversation, newest: Message | None) -> str:
    """Under the newest message when it is the viewer's: "Seen" (one-to-one), "Seen by ana, bo" or
    "Seen by everyone" (groups), or "" — from the members' `last_read_id`, no query."""
    if newest is None or newest.sender_id != viewer.pk:
        return ""
    others = [p for p in thread_members if p.user_id != viewer.pk and p.state != Participant.State.LEFT]
    # only people the viewer may see: nobody they blocked or who blocked them ("everyone" then
    # never counts someone hidden)
    seen = [p for p in others if p.visible and p.last_read_id >= newest.pk]
    if not seen:
        return ""
    if not conversation.is_group:
        return "Seen"
    if len(seen) == len(others) and len(others) > 1:
        return "Seen by everyone"
    return "Seen by " + ", ".join(p.name for p in seen)


def composer_refusal(viewer, participant: Participant, others: list[Person]) -> dict | None:
    """Why the viewer cannot send here, or None: a one-to-one whose other person they may not see.
    {"text": ..., "unblock": User} — "unblock" only when the viewer blocked them (they know that);
    otherwise one sentence for every other reason (blocked by them, suspended, deactivated, deleted),
    so the rule never tells anyone they were blocked. One query, only for such a thread."""
    if participant.conversation.is_group:
        return None
    if others and others[0].visible:
        return None
    other_id = others[0].user_id if others else None
    if other_id is not None:
        blocked = (
            User.objects.filter(pk=other_id, is_active=True, pk__in=Block.objects.filter(blocker_id=viewer.pk).values("blocked_id"))
            .first()
        )
        if blocked is not None:
            return {"text": f"You blocked {blocked.username}. Unblock them to send messages.", "unblock": blocked}
    return {"text": "You can't message this account.", "unblock": None}


# --- reports -----------------------------------------------------------------------------------


def message_for_moderators(message: Message) -> Message:
    """A reported message as stored, for the moderation preview (social/admin.py), read past the
    visibility rule on purpose (docs/architecture.md, "Moderation previews"): `photo_src` (its
    photo through a signed, expiring URL: direct photos are always private), `shared_post` (with
    its author and media) and `quoted_story` (with its picture), whoever may see them now. A
    message its sender deleted while reported still has them (held until the reports are
    handled, services.message_soft_delete). At most three queries."""
    from posts.models import Post, Story
    from posts.selectors import prefetch_media

    message.photo_src = photo_url(message.file, PHOTO_WIDTH) if message.file else ""
    message.photo_full_src = file_url(message.file, private=True) if message.file else ""
    message.shared_post = None
    if message.post_id:
        message.shared_post = Post.objects.select_related("author").filter(pk=message.post_id).first()
        if message.shared_post is not None:
            prefetch_media([message.shared_post])
    message.quoted_story = None
    if message.story_id:
        message.quoted_story = Story.objects.select_related("author").filter(pk=message.story_id).first()
        if message.quoted_story is not None:
            message.quoted_story.thumb_src = story_thumb_url(message.quoted_story)
    return message


def report_context(reporter, message: Message) -> list[dict]:
    """The messages around `message` that `reporter` could see when reporting it (their
    `visible_from_id` on, not deleted): REPORT_CONTEXT_BEFORE before it, the message, and
    REPORT_CONTEXT_AFTER after, oldest first, as Report.context stores them. Senders by username
    (moderators read past the visibility rule, docs/architecture.md) and id (the purge scrubs them)."""
    participant = Participant.objects.get(conversation_id=message.conversation_id, user_id=reporter.pk)
    base = Message.objects.filter(
        conversation_id=message.conversation_id, deleted_at__isnull=True, pk__gte=participant.visible_from_id
    ).select_related("sender")
    before = list(base.filter(pk__lt=message.pk).order_by("-pk")[:REPORT_CONTEXT_BEFORE])
    after = list(base.filter(pk__gt=message.pk).order_by("pk")[:REPORT_CONTEXT_AFTER])
    rows = [*reversed(before), message, *after]
    return [
        {
            "id": m.pk,
            "sender_id": m.sender_id,
            "sender": m.sender.username,
            "text": m.text,
            "kind": m.kind,
            "post": m.post_id,
            "story": m.story_id,
            "created": m.created.isoformat(),
            "reported": m.pk == message.pk,
        }
        for m in rows
    ]


# --- choosing people -------------------------------------------------------------------------------


def people_query(raw) -> str:
    """A people search's text as typed: NUL taken out (PostgreSQL text cannot hold it, as social's
    /search/ does), trimmed, at most 100 characters."""
    return (raw or "").replace("\x00", "").strip()[:100]


def people_to_message(viewer, q: str, limit: int = 20) -> list[User]:
    """People the viewer may start a conversation with, by name (social's search, which reads
    through `User.objects.visible_to`): never themselves."""
    from social.selectors import search_users

    q = people_query(q)
    return [u for u in search_users(viewer, q, limit + 1) if u.pk != viewer.pk][:limit]


def _names_asked(viewer, usernames) -> list[str]:
    """The names asked for, each once (any letter case), the viewer's own left out."""
    seen, names = {viewer.username.lower()}, []
    for name in usernames:
        key = (name or "").replace("\x00", "\ufffd").strip().lower()  # (a NUL names nobody)
        if key and key not in seen:
            seen.add(key)
            names.append(key)
    return names


def people_by_username(viewer, usernames) -> list[User]:
    """The people named (any letter case; the viewer left out) whom the viewer may see, in one
    query; unknown or invisible names are left out (the chooser's GET: what is shown as chosen)."""
    names = _names_asked(viewer, usernames)[: settings_group_max()]
    if not names:
        return []
    return list(User.objects.visible_to(viewer).by_username(*names).order_by("username"))


@dataclass
class Recipients:
    """The people a form names (`people_named`): `found` (the viewer may see them), `missing` (names
    asked for that are unknown or that the viewer may not see: the same answer for both), `too_many`
    (more than a group may hold with the viewer: nothing looked up)."""

    found: list[User]
    missing: list[str]
    too_many: bool = False


def people_named(viewer, usernames) -> Recipients:
    """What a send names (a POST's `to`): the viewer's own name taken out first, then every other
    name must be someone the viewer may see, and at most DIRECT_GROUP_MAX - 1 of them (one query)."""
    names = _names_asked(viewer, usernames)
    if len(names) > settings_group_max() - 1:
        return Recipients([], [], too_many=True)
    found = list(User.objects.visible_to(viewer).by_username(*names).order_by("username")) if names else []
    have = {u.username.lower() for u in found}
    return Recipients(found, [n for n in names if n not in have])


def settings_group_max() -> int:
    return int(getattr(settings, "DIRECT_GROUP_MAX", 32))


def direct_conversation_with(viewer, other: User) -> Conversation | None:
    """The viewer's one-to-one conversation with `other`, if there is one they may open (one query)."""
    key = pair_key(viewer.pk, other.pk)
    row = Participant.objects.select_related("conversation").filter(
        conversation__pair_key=key, user_id=viewer.pk, state__in=ACTIVE_STATES
    ).first()
    return row.conversation if row else None


def pair_key(a: int, b: int) -> str:
    """The one-to-one key of two people: "<smaller id>:<larger id>" (Conversation.pair_key)."""
    low, high = sorted((int(a), int(b)))
    return f"{low}:{high}"
