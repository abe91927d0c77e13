"""The live socket through real ASGI servers, from a plain WebSocket client: uvicorn run with
production's options (--ws-max-size 4096, the `asgi_server` fixture) drops a huge frame itself,
before anything buffers it for the consumer; daphne (runserver's) passes every close code the
consumer sends."""

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


async def _close_with_code_in_path(scope, receive, send):
    """An ASGI app that accepts a socket and closes it with the code its path ends with."""
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.close", "code": int(scope["path"].rsplit("/", 1)[1])})


def test_every_close_code_the_consumer_sends_passes_daphne():
    """runserver is daphne's, whose WebSocket library (autobahn) lets an application close only with
    1000 or 3000-4999: anything else (1008, 1009, 1012) raised in the server and the page saw 1011."""
    from daphne.testing import BaseDaphneTestingInstance
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    from social.live import consumers

    codes = [consumers.SIGNED_OUT, consumers.SESSION_MOVED, consumers.LAYER_LOST, consumers.TOO_BIG, consumers.POLICY]
    with BaseDaphneTestingInstance(application=_close_with_code_in_path) as server:
        for code in codes:
            url = f"ws://{server.host}:{server.port}/close/{code}"
            with connect(url, open_timeout=10) as ws, pytest.raises(ConnectionClosed) as closed:
                ws.recv(timeout=5)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == code
