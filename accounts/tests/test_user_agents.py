"""The sessions page names each session's browser and device in words (issue 13), parsed from the
stored User-Agent string with ua-parser; the raw string stays in a tooltip."""

import pytest
from django.test import Client

from accounts.user_agents import UNKNOWN, describe
from instaclone.testing import DEFAULT_PASSWORD

CHROME_LINUX = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)


@pytest.mark.parametrize(
    ("user_agent", "expected"),
    [
        (CHROME_LINUX, "Chrome 156 on Linux"),
        (SAFARI_IPHONE, "Safari on iPhone"),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox 128 on Windows"),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/17.4 Safari/605.1.15",
            "Safari 17 on macOS",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0.0.0 Mobile Safari/537.36",
            "Chrome 126 on Android",
        ),
        (
            "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "CriOS/126.0.6478.54 Mobile/15E148 Safari/604.1",
            "Chrome on iPad",
        ),
    ],
)
def test_real_user_agents_read_as_browser_and_device(user_agent, expected):
    assert describe(user_agent) == expected


@pytest.mark.parametrize("user_agent", ["", "garbage", "()"])
def test_an_unrecognisable_user_agent_reads_unknown_browser(user_agent):
    assert describe(user_agent) == UNKNOWN


def test_parsing_is_memoized():
    describe.cache_clear()
    describe(CHROME_LINUX)
    describe(CHROME_LINUX)
    info = describe.cache_info()
    assert (info.hits, info.misses) == (1, 1)


@pytest.mark.django_db
def test_sessions_page_shows_device_in_words_and_raw_string_in_tooltip(alice):
    laptop, phone = Client(HTTP_USER_AGENT=CHROME_LINUX), Client(HTTP_USER_AGENT=SAFARI_IPHONE)
    for client in (laptop, phone):
        client.post("/accounts/login/", {"login": "alice", "password": DEFAULT_PASSWORD})
    html = laptop.get("/accounts/sessions/").content.decode()
    assert "Chrome 156 on Linux" in html and "Safari on iPhone" in html
    assert f'title="{CHROME_LINUX}"' in html  # the stored string, for whoever needs it
    assert f">{CHROME_LINUX}<" not in html  # but not as the text
