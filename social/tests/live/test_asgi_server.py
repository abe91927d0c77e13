"""The live socket through a real ASGI server run with production's options (uvicorn
--ws-max-size 4096, the `asgi_server` fixture), from a plain WebSocket client: the server drops a
huge frame itself, before anything buffers it for the consumer."""

import json

import pytest
from django.conf import settings

from social.tests.live.conftest import cookie_of, signed_in_client

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_server_refuses_a_huge_frame_and_closes_with_1009(asgi_server, alice):
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    cookie = cookie_of(signed_in_client("alice"))
    url = asgi_server.url.replace("http://", "ws://") + "/ws/live/"
    headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"}
    with connect(url, origin=asgi_server.url, additional_headers=headers, max_size=None, open_timeout=10) as ws:
        ws.send(json.dumps({"type": "ping"}))
        assert json.loads(ws.recv(timeout=5)) == {"type": "pong"}
        ws.send("x" * 1_000_000)
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009, closed.value  # message too big
    assert "4096" in closed.value.rcvd.reason  # said by the server's protocol (the consumer gives no reason)
