"""The live WebSocket (`/ws/live/`) through the site's real ASGI application: who may open one,
what reaches whom, and that a session that ends closes its sockets (and only its own)."""

import json

import pytest
from asgiref.sync import sync_to_async
from django.contrib.sessions.models import Session

from instaclone import live
from social.tests.live.conftest import closed_with, cookie_of, open_socket, run, signed_in_client

pytestmark = pytest.mark.django_db(transaction=True)

SIGNED_OUT = 4401


def test_a_signed_out_visitor_gets_no_socket(alice):
    async def scenario():
        connected, _ = await open_socket(None)
        assert not connected

    run(scenario)


@pytest.mark.parametrize("origin", ["http://evil.example", "null", None])
def test_a_page_of_another_site_gets_no_socket_even_with_the_cookie(alice, origin):
    async def scenario():
        client = await sync_to_async(signed_in_client)("alice")
        connected, _ = await open_socket(cookie_of(client), origin=origin)
        assert not connected

    run(scenario)


def test_a_suspended_or_deactivated_person_cannot_connect(alice):
    async def scenario():
        client = await sync_to_async(signed_in_client)("alice")
        connected, socket = await open_socket(cookie_of(client))
        assert connected
        await socket.disconnect()
        # deactivated behind the session's back (the row only): the session no longer signs anyone in
        await sync_to_async(type(alice).objects.filter(pk=alice.pk).update)(is_active=False)
        connected, _ = await open_socket(cookie_of(client))
        assert not connected

    run(scenario)


def test_a_session_past_its_idle_timeout_gets_no_socket(alice, settings):
    async def scenario():
        client = await sync_to_async(signed_in_client)("alice")
        settings.SESSION_IDLE_TIMEOUT = -1
        connected, _ = await open_socket(cookie_of(client))
        assert not connected

    run(scenario)


def test_events_reach_only_the_person_they_are_for(alice, bob):
    async def scenario():
        a = await sync_to_async(signed_in_client)("alice")
        b = await sync_to_async(signed_in_client)("bob")
        _, alice_tab = await open_socket(cookie_of(a))
        _, alice_other_tab = await open_socket(cookie_of(a))
        _, bob_tab = await open_socket(cookie_of(b))

        sent = await sync_to_async(live.send_now)([alice.pk], {"type": "badge", "badge": "notifications"})
        assert sent
        for tab in (alice_tab, alice_other_tab):
            assert json.loads(await tab.receive_from()) == {"type": "badge", "badge": "notifications"}
        assert await bob_tab.receive_nothing(timeout=0.3)

        for tab in (alice_tab, alice_other_tab, bob_tab):
            await tab.disconnect()

    run(scenario)


def test_publish_waits_for_the_commit_and_sends_nothing_for_a_rollback(alice):
    from django.db import transaction

    async def scenario():
        a = await sync_to_async(signed_in_client)("alice")
        _, tab = await open_socket(cookie_of(a))

        def rolled_back():
            with pytest.raises(RuntimeError), transaction.atomic():
                live.publish([alice.pk], {"type": "message", "conversation": 1, "message": 2})
                raise RuntimeError("the write failed")

        await sync_to_async(rolled_back)()
        assert await tab.receive_nothing(timeout=0.3)

        def committed():
            with transaction.atomic():
                live.publish([alice.pk], {"type": "message", "conversation": 1, "message": 3})

        await sync_to_async(committed)()
        assert json.loads(await tab.receive_from()) == {"type": "message", "conversation": 1, "message": 3}
        await tab.disconnect()

    run(scenario)


@pytest.mark.parametrize(
    "event",
    [
        {"type": "message", "text": "hello there"},
        {"type": "message", "conversation": 1, "preview": "Hi"},
        {"type": "message", "sender": {"id": 1}},
        {"type": "Message!"},
        {"conversation": 1},
    ],
)
def test_an_event_with_content_is_refused(alice, event):
    with pytest.raises(ValueError):
        live.publish([alice.pk], event)


def test_logout_closes_that_sessions_sockets_and_not_the_others(alice):
    async def scenario():
        laptop = await sync_to_async(signed_in_client)("alice")
        phone = await sync_to_async(signed_in_client)("alice")
        _, laptop_tab = await open_socket(cookie_of(laptop))
        _, phone_tab = await open_socket(cookie_of(phone))

        response = await sync_to_async(laptop.post)("/accounts/logout/")
        assert response.status_code == 302

        assert await closed_with(laptop_tab) == SIGNED_OUT
        assert await phone_tab.receive_nothing(timeout=0.3)
        await sync_to_async(live.send_now)([alice.pk], {"type": "badge", "badge": "messages"})
        assert json.loads(await phone_tab.receive_from()) == {"type": "badge", "badge": "messages"}
        await phone_tab.disconnect()

    run(scenario)


def test_sign_out_other_sessions_closes_their_sockets_and_keeps_this_one(alice):
    async def scenario():
        laptop = await sync_to_async(signed_in_client)("alice")
        phone = await sync_to_async(signed_in_client)("alice")
        _, laptop_tab = await open_socket(cookie_of(laptop))
        _, phone_tab = await open_socket(cookie_of(phone))

        response = await sync_to_async(laptop.post)("/accounts/sessions/", {"action": "logout"})
        assert response.status_code == 302

        assert await closed_with(phone_tab) == SIGNED_OUT
        assert await laptop_tab.receive_nothing(timeout=0.3)
        await laptop_tab.disconnect()

    run(scenario)


@pytest.mark.parametrize("how", ["suspension", "account deletion"])
def test_suspension_and_account_deletion_close_every_socket_of_the_person(alice, bob, moderator, how):
    from accounts.services import deletion
    from social.moderation import user_suspend

    async def scenario():
        laptop = await sync_to_async(signed_in_client)("alice")
        phone = await sync_to_async(signed_in_client)("alice")
        b = await sync_to_async(signed_in_client)("bob")
        tabs = [(await open_socket(cookie_of(c)))[1] for c in (laptop, phone)]
        _, bob_tab = await open_socket(cookie_of(b))

        def end():
            if how == "suspension":
                user_suspend(moderator=moderator, user=alice)
            else:
                deletion.account_deletion_request(user=alice)

        await sync_to_async(end)()
        for tab in tabs:
            assert await closed_with(tab) == SIGNED_OUT
        assert await bob_tab.receive_nothing(timeout=0.3)
        # and the cookie opens no new one
        connected, _ = await open_socket(cookie_of(phone))
        assert not connected
        await bob_tab.disconnect()

    run(scenario)


def test_a_ping_is_answered_and_rechecks_the_session_when_due(alice, settings):
    async def scenario():
        client = await sync_to_async(signed_in_client)("alice")
        _, tab = await open_socket(cookie_of(client))
        await tab.send_to(text_data=json.dumps({"type": "ping"}))
        assert json.loads(await tab.receive_from()) == {"type": "pong"}

        # the session disappears without a close message (e.g. deleted from the admin): found at
        # the next ping once the re-check is due
        await sync_to_async(Session.objects.filter(session_key=cookie_of(client)).delete)()
        settings.LIVE_SESSION_RECHECK = 0
        await tab.send_to(text_data=json.dumps({"type": "ping"}))
        assert await closed_with(tab) == SIGNED_OUT

    run(scenario)


def test_a_password_changed_elsewhere_ends_the_socket_at_its_next_check(alice, settings):
    from instaclone.testing import DEFAULT_PASSWORD

    async def scenario():
        laptop = await sync_to_async(signed_in_client)("alice")
        phone = await sync_to_async(signed_in_client)("alice")
        _, phone_tab = await open_socket(cookie_of(phone))
        response = await sync_to_async(laptop.post)(
            "/accounts/password/change/",
            {"oldpassword": DEFAULT_PASSWORD, "password1": "a-brand-new-secret-42", "password2": "a-brand-new-secret-42"},
        )
        assert response.status_code == 302
        settings.LIVE_SESSION_RECHECK = 0
        await phone_tab.send_to(text_data=json.dumps({"type": "ping"}))
        assert await closed_with(phone_tab) == SIGNED_OUT

    run(scenario)


@pytest.mark.parametrize("junk", ["not json", "[1, 2]", '{"type": "subscribe", "user": 2}', "x" * 5000])
def test_anything_but_a_ping_from_the_browser_is_ignored(alice, junk):
    async def scenario():
        client = await sync_to_async(signed_in_client)("alice")
        _, tab = await open_socket(cookie_of(client))
        await tab.send_to(text_data=junk)
        await tab.send_to(bytes_data=b"\x00\x01")
        assert await tab.receive_nothing(timeout=0.2)
        await tab.send_to(text_data=json.dumps({"type": "ping"}))
        assert json.loads(await tab.receive_from()) == {"type": "pong"}
        await tab.disconnect()

    run(scenario)


def test_a_person_holds_a_limited_number_of_sockets(alice, bob, settings):
    settings.LIVE_MAX_CONNECTIONS = 2

    async def scenario():
        a = await sync_to_async(signed_in_client)("alice")
        b = await sync_to_async(signed_in_client)("bob")
        first = await open_socket(cookie_of(a))
        second = await open_socket(cookie_of(a))
        assert first[0] and second[0]
        third, _ = await open_socket(cookie_of(a))
        assert not third
        # others are not affected, and a closed tab frees its place
        bob_connected, bob_tab = await open_socket(cookie_of(b))
        assert bob_connected
        await first[1].disconnect()
        again, again_tab = await open_socket(cookie_of(a))
        assert again
        for tab in (second[1], again_tab, bob_tab):
            await tab.disconnect()

    run(scenario)


def test_an_unknown_path_under_ws_gets_no_socket(alice):
    async def scenario():
        client = await sync_to_async(signed_in_client)("alice")
        with pytest.raises(ValueError):  # Channels' router: no route (the server answers 403/404)
            await open_socket(cookie_of(client), path="/ws/other/")

    run(scenario)


def test_a_stolen_cookie_after_logout_opens_nothing(alice):
    async def scenario():
        client = await sync_to_async(signed_in_client)("alice")
        stolen = cookie_of(client)
        await sync_to_async(client.post)("/accounts/logout/")
        connected, _ = await open_socket(stolen)
        assert not connected

    run(scenario)
