"""A few direct conversations on a fresh demo, so alice's inbox is not empty: a one-to-one with bob
(a shared post, a reply), a named group with bob, charlie and eve, and a message request from one
of the generated people. Written through social.messages.services (request states, seen marks and
counters as in life; a few milliseconds each)."""

from __future__ import annotations

import random

from accounts.models import User
from posts.models import Post
from social.messages.services import DirectError, conversation_create, conversation_seen, message_send

LINES = [
    "Are you coming on Saturday?", "Yes! What time?", "Around 5, for the sunset", "Perfect, I'll bring snacks",
    "Did you see the new café by the pier?", "Not yet, is it good?", "The best flat white in town",
]


def add_demo_conversations(rng: random.Random) -> int:
    """The demo conversations (see the module's docstring); how many messages were sent. A
    conversation the plan's random blocks forbid is skipped."""
    try:
        return _conversations(rng)
    except DirectError:
        return 0


def _conversations(rng: random.Random) -> int:
    people = {u.username: u for u in User.objects.filter(username__in=["alice", "bob", "charlie", "eve"])}
    alice, bob = people.get("alice"), people.get("bob")
    if alice is None or bob is None:
        return 0
    sent = 0
    conversation, _ = conversation_create(sender=bob, recipients=[alice], text=LINES[0])
    sent += 1
    for i, line in enumerate(LINES[1:4]):
        message_send(sender=alice if i % 2 == 0 else bob, conversation=conversation, text=line)
        sent += 1
    post = Post.objects.visible_to(alice).filter(author=bob).order_by("-created").first()
    if post is not None:
        message_send(sender=bob, conversation=conversation, post_id=post.pk, text="Like this one")
        sent += 1
    others = [people[name] for name in ("charlie", "eve") if name in people]
    if others:
        group, _ = conversation_create(sender=alice, recipients=[bob, *others], name="Weekend plans", text=LINES[4])
        sent += 1
        for line in LINES[5:]:
            message_send(sender=rng.choice([bob, *others]), conversation=group, text=line)
            sent += 1
        conversation_seen(user=alice, conversation_id=group.pk)
    stranger = User.objects.visible_to(alice).exclude(pk__in=[u.pk for u in people.values()]).exclude(
        pk__in=alice.following_rows.values("followee_id")
    ).order_by("pk").first()
    if stranger is not None:
        conversation_create(sender=stranger, recipients=[alice], text="Hi! Loved your photos from the rabbit hole. Where was that?")
        sent += 1
    return sent
