"""The live WebSocket (`/ws/live/`) through the site's real ASGI application: who may open one,
what reaches whom, and that a session that ends closes its sockets (and only its own)."""

import asyncio
import json

import pytest
from asgiref.sync import sync_to_async
from django.contrib.sessions.models import Session

from instaclone import live
from social.tests.live.conftest import closed_with, cookie_of, open_socket, run, signed_in_client

pytestmark = pytest.mark.django_db(transaction=True)

SIGNED_OUT = 4401
SESSION_MOVED = 4001


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


def test_a_ping_is_answered_and_a_ping_too_soon_after_it_is_not(alice):
    async def scenario():
        client = await sync_to_async(signed_in_client)("alice")
        _, tab = await open_socket(cookie_of(client))
        await tab.send_to(text_data=json.dumps({"type": "ping"}))
        assert json.loads(await tab.receive_from()) == {"type": "pong"}
        # live.js pings every 25 s: one within PING_SPACING (5 s) of the last answer is not answered
        await tab.send_to(text_data=json.dumps({"type": "ping"}))
        assert await tab.receive_nothing(timeout=0.3)
        await tab.disconnect()

    run(scenario)


def test_a_socket_that_never_pings_rechecks_its_session_on_its_own(alice, settings):
    """The session's row disappears without a close message (deleted by hand): the socket's own
    timer finds it and tells the page to reconnect (4001; the row may only have moved to a new key),
    and the handshake then refuses the dead cookie."""
    settings.LIVE_SESSION_RECHECK = 0.3

    async def scenario():
        client = await sync_to_async(signed_in_client)("alice")
        _, tab = await open_socket(cookie_of(client))
        await sync_to_async(Session.objects.filter(session_key=cookie_of(client)).delete)()
        assert await closed_with(tab, timeout=3) == SESSION_MOVED
        connected, _ = await open_socket(cookie_of(client))
        assert not connected

    run(scenario)


def test_a_stale_password_hash_is_found_by_the_socket_s_own_check(alice, settings):
    """The password changed without allauth's signal (e.g. `manage.py changepassword`): the session
    no longer signs anyone in, and the socket ends at its next check, no ping needed."""
    settings.LIVE_SESSION_RECHECK = 0.3

    async def scenario():
        client = await sync_to_async(signed_in_client)("alice")
        _, tab = await open_socket(cookie_of(client))

        def change_password():
            alice.set_password("changed-behind-its-back-42")
            alice.save(update_fields=["password"])

        await sync_to_async(change_password)()
        assert await closed_with(tab, timeout=3) == SIGNED_OUT

    run(scenario)


def test_the_session_check_writes_nothing_and_keeps_the_browser_signed_in(alice, settings):
    """After a SECRET_KEY rotation the session's hash matches only a fallback key. Django's
    auth.get_user would move such a session to a new key on its request (cycle_key); done from the
    socket, on a store of its own, that would delete the browser's session (signing it out) and leave
    an orphan row. The check only reads."""
    settings.LIVE_SESSION_RECHECK = 0.2

    async def scenario():
        client = await sync_to_async(signed_in_client)("alice")
        key = cookie_of(client)
        _, tab = await open_socket(key)
        before = await sync_to_async(lambda: list(Session.objects.values_list("session_key", "session_data")))()
        old_key = settings.SECRET_KEY
        settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a-new-secret-key-" + "x" * 40, [old_key]
        await asyncio.sleep(0.6)  # the socket's own checks run
        await tab.send_to(text_data=json.dumps({"type": "ping"}))  # (where older code checked)
        assert json.loads(await tab.receive_from()) == {"type": "pong"}
        await asyncio.sleep(0.6)
        await sync_to_async(live.send_now)([alice.pk], {"type": "badge", "badge": "messages"})
        assert json.loads(await tab.receive_from()) == {"type": "badge", "badge": "messages"}
        after = await sync_to_async(lambda: list(Session.objects.values_list("session_key", "session_data")))()
        assert after == before
        response = await sync_to_async(client.get)("/settings/")
        assert response.status_code == 200  # still signed in
        await tab.disconnect()

    run(scenario)


def test_a_password_change_closes_the_other_sessions_sockets_at_once(alice, settings):
    """No ping and no timer needed (the re-check is 5 minutes away): allauth's password_changed
    closes every other session's socket with 4401; this browser's own socket is told to reconnect
    (its session moved to a new key) and its new cookie opens a new one."""
    from instaclone.testing import DEFAULT_PASSWORD

    async def scenario():
        laptop = await sync_to_async(signed_in_client)("alice")
        phone = await sync_to_async(signed_in_client)("alice")
        _, laptop_tab = await open_socket(cookie_of(laptop))
        _, phone_tab = await open_socket(cookie_of(phone))
        response = await sync_to_async(laptop.post)(
            "/accounts/password/change/",
            {"oldpassword": DEFAULT_PASSWORD, "password1": "a-brand-new-secret-42", "password2": "a-brand-new-secret-42"},
        )
        assert response.status_code == 302
        assert await closed_with(phone_tab) == SIGNED_OUT
        assert await closed_with(laptop_tab) == SESSION_MOVED
        connected, laptop_again = await open_socket(cookie_of(laptop))  # the cookie the change set
        assert connected
        await sync_to_async(live.send_now)([alice.pk], {"type": "message", "conversation": 5, "message": 9})
        assert json.loads(await laptop_again.receive_from()) == {"type": "message", "conversation": 5, "message": 9}
        connected, _ = await open_socket(cookie_of(phone))
        assert not connected
        await laptop_again.disconnect()

    run(scenario)


@pytest.mark.parametrize("how", ["password_reset", "password_set"])
def test_a_password_reset_or_set_closes_the_other_sessions_sockets(alice, how, settings):
    """allauth's other two signals: a reset from a browser without her session, or a first password set
    (signed up through another site) from her laptop's session, whose own socket reconnects."""
    from importlib import import_module

    from allauth.account import signals
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    async def scenario():
        laptop = await sync_to_async(signed_in_client)("alice")
        phone = await sync_to_async(signed_in_client)("alice")
        _, laptop_tab = await open_socket(cookie_of(laptop))
        _, phone_tab = await open_socket(cookie_of(phone))

        def send():
            request = RequestFactory().post("/accounts/password/")
            if how == "password_reset":
                request.user = AnonymousUser()
            else:
                request.user = alice
                request.COOKIES[settings.SESSION_COOKIE_NAME] = cookie_of(laptop)
                request.session = import_module(settings.SESSION_ENGINE).SessionStore(cookie_of(laptop))
            getattr(signals, how).send(sender=type(alice), request=request, user=alice)

        await sync_to_async(send)()
        assert await closed_with(phone_tab) == SIGNED_OUT
        assert await closed_with(laptop_tab) == (SIGNED_OUT if how == "password_reset" else SESSION_MOVED)

    run(scenario)


@pytest.mark.parametrize("junk", ["not json", "[1, 2]", '{"type": "subscribe", "user": 2}', "x" * 4000])
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


@pytest.mark.parametrize("frame", [{"text_data": "x" * 4097}, {"text_data": "é" * 2049}, {"bytes_data": b"\x00" * 5000}])
def test_a_frame_over_4_kb_closes_the_socket(alice, frame):
    async def scenario():
        client = await sync_to_async(signed_in_client)("alice")
        _, tab = await open_socket(cookie_of(client))
        await tab.send_to(**frame)
        assert await closed_with(tab) == 4009  # too big (1009 in the private range)

    run(scenario)


def test_a_flood_of_frames_closes_the_socket(alice):
    async def scenario():
        client = await sync_to_async(signed_in_client)("alice")
        _, tab = await open_socket(cookie_of(client))
        await tab.send_to(text_data=json.dumps({"type": "ping"}))
        assert json.loads(await tab.receive_from()) == {"type": "pong"}
        for _ in range(40):  # live.js sends 2-3 a minute; 30 a minute are allowed
            await tab.send_to(text_data=json.dumps({"type": "ping"}))
        assert await closed_with(tab) == 4008  # policy (1008 in the private range)

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


def test_one_failed_health_check_closes_nothing_and_two_in_a_row_close_the_sockets(alice, settings, monkeypatch):
    """Closing every socket of a process makes every page reconnect at once: one slow round trip
    through the layer (a busy event loop) is not enough, two in a row are (4012)."""
    from social.live import consumers

    settings.LIVE_HEALTH_CHECK = 0.1
    outcomes = [TimeoutError(), None, TimeoutError(), TimeoutError()]
    calls = []
    round_trip = consumers._ProcessWatch._round_trip

    async def flaky(self):
        calls.append(1)
        outcome = outcomes[len(calls) - 1] if len(calls) <= len(outcomes) else None
        if outcome is not None:
            raise outcome
        await round_trip(self)

    monkeypatch.setattr(consumers._ProcessWatch, "_round_trip", flaky)

    async def scenario():
        client = await sync_to_async(signed_in_client)("alice")
        _, tab = await open_socket(cookie_of(client))
        assert await closed_with(tab, timeout=5) == 4012
        assert len(calls) == 4  # not at the first failure, nor at the one after a success

    run(scenario)


@pytest.mark.parametrize("people", [1, 12])
def test_the_sockets_sessions_are_checked_in_two_queries_however_many(django_assert_num_queries, people):
    from instaclone.testing import make_user
    from social.live.consumers import VALID, _sessions_state

    sockets = []
    for i in range(people):
        user = make_user(f"checked{i}")
        sockets.append((cookie_of(signed_in_client(user.username)), user.pk))
    with django_assert_num_queries(2):  # 1. the sessions (unexpired, by key) 2. their people (in_bulk)
        states = _sessions_state(sockets)
    assert states == {key: VALID for key, _ in sockets}
