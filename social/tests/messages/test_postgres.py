"""Direct messages under real concurrency on PostgreSQL: message ids commit in order in one
conversation (the live catch-up never skips one), two people starting their one-to-one at the same
moment end in one conversation, and hostile search input never reaches PostgreSQL as a NUL.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/instaclone .venv/bin/python -m pytest social/tests/messages/test_postgres.py
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import FollowFactory, UserFactory
from posts.tests.factories import PostFactory
from social.messages import selectors, services
from social.messages.models import Conversation, Message

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks and real concurrency"),
]


def in_thread(job, errors: list) -> threading.Thread:
    """`job` in a thread with a database connection of its own (closed at the end)."""

    def run():
        try:
            job()
        except Exception as exc:  # noqa: BLE001 - the test asserts there were none
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_catch_up_never_skips_a_message_whose_transaction_commits_late(monkeypatch):
    alice, bob = UserFactory(), UserFactory()
    FollowFactory(follower=alice, followee=bob)
    FollowFactory(follower=bob, followee=alice)
    conversation, first = services.conversation_create(sender=alice, recipients=[bob], text="first")
    inserted, release = threading.Event(), threading.Event()
    create = Message.objects.create

    def slow_create(**fields):
        message = create(**fields)
        if fields.get("text") == "slow":  # its id is taken; its transaction stays open
            inserted.set()
            release.wait(10)
        return message

    monkeypatch.setattr(Message.objects, "create", slow_create)
    errors = []
    slow = in_thread(lambda: services.message_send(sender=alice, conversation=conversation, text="slow"), errors)
    assert inserted.wait(10)
    fast = in_thread(lambda: services.message_send(sender=bob, conversation=conversation, text="fast"), errors)
    fast.join(2)  # waits on the conversation's lock while "slow" is open
    # a page catching up now (e.g. on the event of whichever committed) sees only what committed
    member = selectors.participant_get(bob, conversation.pk)
    seen_first = [m.text for m in selectors.messages_after(bob, member, first.pk)]
    newest = max([first.pk, *Message.objects.filter(text__in=seen_first).values_list("pk", flat=True)])
    release.set()
    slow.join(10)
    fast.join(10)
    assert errors == []
    seen_next = [m.text for m in selectors.messages_after(bob, member, newest)]
    assert seen_first + seen_next == ["slow", "fast"]
    assert list(Message.objects.filter(conversation=conversation).order_by("pk").values_list("text", flat=True)) == [
        "first", "slow", "fast"
    ]


def test_two_first_messages_at_the_same_moment_make_one_conversation(monkeypatch):
    alice, bob = UserFactory(), UserFactory()
    together = threading.Barrier(2, timeout=10)
    member_states = services._member_states

    def both_here(sender, recipients):
        states = member_states(sender, recipients)
        together.wait()  # both checked that no conversation exists yet; both insert one
        return states

    monkeypatch.setattr(services, "_member_states", both_here)
    errors = []
    threads = [
        in_thread(lambda: services.conversation_create(sender=alice, recipients=[bob], text="from alice"), errors),
        in_thread(lambda: services.conversation_create(sender=bob, recipients=[alice], text="from bob"), errors),
    ]
    for thread in threads:
        thread.join(20)
    assert errors == []
    conversation = Conversation.objects.get()
    assert sorted(Message.objects.filter(conversation=conversation).values_list("text", flat=True)) == ["from alice", "from bob"]
    assert conversation.participants.count() == 2


@pytest.mark.parametrize("name", ["new", "add", "share"])
def test_a_nul_in_the_people_search_is_no_500(name):
    alice, bob, charlie = UserFactory(), UserFactory(), UserFactory()
    FollowFactory(follower=bob, followee=alice)
    FollowFactory(follower=charlie, followee=alice)
    group, _ = services.conversation_create(sender=alice, recipients=[bob, charlie], text="g")
    post = PostFactory(author=bob)
    path = {"new": reverse("direct:new"), "add": reverse("direct:add", args=[group.pk]),
            "share": reverse("direct:share", args=[post.pk])}[name]
    client = Client(raise_request_exception=False)
    client.force_login(alice)
    assert client.get(path + "?q=a%00b").status_code == 200
    assert client.get(path + "?to=a%00b").status_code == 200
