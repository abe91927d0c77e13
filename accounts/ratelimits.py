"""The client's address, and the failed-sign-in lockout (issue 9, item 9).

`client_ip(request)` is the one place the app reads a client address. It is allauth's own
(`allauth.core.internal.httpkit.get_client_ip`), so allauth's per-IP limits and ours agree:
  - ALLAUTH_TRUSTED_CLIENT_IP_HEADER (env TRUSTED_CLIENT_IP_HEADER, e.g. `X-Real-IP`,
    `CF-Connecting-IP`): the address is that header, set by a proxy you run;
  - else ALLAUTH_TRUSTED_PROXY_COUNT (env TRUSTED_PROXY_COUNT, default 0): the address is the
    N-th entry from the right of X-Forwarded-For (each of your N proxies appends one);
  - else (the default) REMOTE_ADDR; X-Forwarded-For is ignored, so a client cannot pick its own
    address by sending the header.
One difference: allauth raises ImproperlyConfigured (a 500) when X-Forwarded-For has fewer entries
than the proxy count; that is a request that did not come through the proxies, and here it is
counted under its REMOTE_ADDR instead.

The lockout: allauth keys its `login_failed` limit ("5 failures per 5 minutes per key") by what was
typed, so `charlie`, `CHARLIE` and `charlie@example.com` had 5 guesses each. `login_lockout_key()`
keys it by the account the login names (its id), and by the normalised text when it names no
account, so every spelling shares one counter. `retry_after()` says how long until the next try is
allowed, for the message on the sign-in page.
"""

from __future__ import annotations

import logging
import math
import time

from allauth.account.internal.userkit import filter_users_by_email
from allauth.core.internal import httpkit
from allauth.core.internal import ratelimit as allauth_ratelimit
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

logger = logging.getLogger(__name__)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as configured above (None if there is none)."""
    try:
        return httpkit.get_client_ip(request)
    except ImproperlyConfigured:
        logger.warning("X-Forwarded-For shorter than TRUSTED_PROXY_COUNT; using REMOTE_ADDR")
        ip = request.META.get("REMOTE_ADDR")
        return httpkit.clean_client_ip(ip) if ip else None


def login_account_id(login: str) -> int | None:
    """The id of the account a sign-in form's login names (an email or a username), if any."""
    from .models import User

    login = (login or "").strip()
    if not login:
        return None
    if "@" in login:
        users = filter_users_by_email(login, for_login=True)
        return users[0].pk if users else None
    return User.objects.by_username(login).values_list("pk", flat=True).first()


def login_lockout_key(login: str) -> str:
    """The key of the failed-sign-in counter for `login`: one per account, whatever was typed."""
    account_id = login_account_id(login)
    if account_id is not None:
        return f"user:{account_id}"
    return f"login:{(login or '').strip().lower()}"


def retry_after(request: HttpRequest, *, action: str, key: str) -> float:
    """Seconds until `action` with `key` (and this client's address) is allowed again; 0 if now."""
    now = time.time()
    wait = 0.0
    for rate in allauth_ratelimit.get_rates(app="allauth.account", action=action):
        cache_key = allauth_ratelimit.get_cache_key(
            request, app="allauth.account", action=action, rate=rate, key=key
        )
        try:
            history = cache.get(cache_key, [])
        except Exception:  # the cache went away between allauth's check and this message
            logger.warning("rate-limit cache unavailable; assuming a full %ss wait", rate.duration)
            return float(rate.duration)
        recent = sorted((ts for ts in history if ts > now - rate.duration), reverse=True)
        if len(recent) >= rate.amount:
            wait = max(wait, recent[rate.amount - 1] + rate.duration - now)
    return wait


def retry_message(seconds: float) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return f"Too many failed attempts. Try again in {minutes} minute{'s' if minutes != 1 else ''}."
