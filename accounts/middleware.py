"""Session lifetimes (issue 9, item 11): an idle timeout and an absolute lifetime.

A signed-in session stores two Unix times: when the person signed in (`SESSION_STARTED_KEY`, set by
the `user_logged_in` receiver below) and when they were last seen (`SESSION_SEEN_KEY`). On every
request with a signed-in session, `SessionLifetimeMiddleware` signs the person out (the session row
is deleted, so the old cookie is dead everywhere) and sends them to the sign-in page with a message
when either
  - SESSION_IDLE_TIMEOUT seconds passed since they were last seen, or
  - SESSION_ABSOLUTE_LIFETIME seconds passed since they signed in, however active they were.

"Last seen" is written at most once per SESSION_ACTIVITY_RESOLUTION seconds (5 minutes by
default), not on every page: each write is a session save (an UPDATE of the session row), and the feed should cost no writes. The idle timeout is therefore
enforced to within that resolution. Each such save also slides the cookie's and the session row's
expiry forward (Django recomputes them from the expiry age on save), so a remembered session lives
while it is used, up to the absolute lifetime.

"Remember me" (allauth's checkbox, ACCOUNT_SESSION_REMEMBER = None): unchecked, the cookie has no
expiry and ends when the browser closes; checked, it is kept for SESSION_COOKIE_AGE (set to the idle
timeout) and renewed as above. Both kinds obey both limits here.

A background request (the nav badge's poll, which sends `BACKGROUND_HEADER`: `X-Background: 1`) is
not activity: it never moves "last seen" (so an open tab does not keep its session alive forever,
and polling tabs write no session row), but an expired session is still ended for it, without a
redirect: the view then answers as to someone signed out (the badge: empty, and htmx stops polling).
A header, not a URL, so that this app knows nothing of the apps that poll.

Hand-written because django-session-timeout and similar packages cover only the idle half, write
on every request, or do not delete the row; this is one small class.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.utils import timezone
from django_htmx.http import HttpResponseClientRedirect

from instaclone import live

SESSION_STARTED_KEY = "_instaclone_signed_in_at"
SESSION_SEEN_KEY = "_instaclone_seen_at"
BACKGROUND_HEADER = "X-Background"  # "1" on requests nobody asked for (polls): not activity


def is_background(request) -> bool:
    return request.headers.get(BACKGROUND_HEADER) == "1"


def _now() -> int:
    return int(timezone.now().timestamp())


def session_expired(session, now: int | None = None) -> bool:
    """The session outlived SESSION_IDLE_TIMEOUT or SESSION_ABSOLUTE_LIFETIME (one without the clocks
    has not: they start at its next request). Also what ends a live connection (social.live)."""
    now = _now() if now is None else now
    started, seen = session.get(SESSION_STARTED_KEY), session.get(SESSION_SEEN_KEY)
    if started is None or seen is None:
        return False
    return now - started > settings.SESSION_ABSOLUTE_LIFETIME or now - seen > settings.SESSION_IDLE_TIMEOUT


def end_live_connections(sender, request, user, **kwargs) -> None:
    """`user_logged_out` receiver (a logout, or an expired session signed out here): that session's
    open pages lose their live connection (instaclone.live; the other sessions keep theirs)."""
    session = getattr(request, "session", None)
    if user is not None and session is not None and session.session_key:
        live.sessions_closed(user.pk, [session.session_key])


def end_other_live_connections(sender, request=None, user=None, **kwargs) -> None:
    """allauth's `password_changed`, `password_reset` and `password_set` receiver: every other session
    of the person is invalid from now on (Django compares the password hash it stored), so their open
    pages lose their live connection at once rather than at their next check. This browser's pages
    reconnect instead: the change moved its session to a new key (the old one is what its cookie
    still named on this request), and their next handshake sends the new cookie."""
    if user is None:
        return
    ours = set()
    if request is not None:
        ours.add(request.COOKIES.get(settings.SESSION_COOKIE_NAME, ""))
        session = getattr(request, "session", None)
        if session is not None and session.session_key:
            ours.add(session.session_key)
    live.sessions_closed(user.pk, None, reconnect=ours)


def start_session_clock(sender, request, user, **kwargs) -> None:
    """`user_logged_in` receiver: every sign-in starts both clocks."""
    if request is not None and hasattr(request, "session"):
        now = _now()
        request.session[SESSION_STARTED_KEY] = now
        request.session[SESSION_SEEN_KEY] = now


class SessionLifetimeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        # Looking at the session's user id rather than request.user saves loading the user.
        if session is not None and session.get(SESSION_KEY) is not None:
            response = self._check(request, session)
            if response is not None:
                return response
        return self.get_response(request)

    def _check(self, request, session):
        now = _now()
        started = session.get(SESSION_STARTED_KEY)
        seen = session.get(SESSION_SEEN_KEY)
        if started is None or seen is None:
            # A session from before these limits existed: its clocks start now.
            session[SESSION_STARTED_KEY] = session[SESSION_SEEN_KEY] = now
            return None
        if session_expired(session, now):
            return self._sign_out(request)
        if now - seen >= settings.SESSION_ACTIVITY_RESOLUTION and not is_background(request):
            session[SESSION_SEEN_KEY] = now
        return None

    def _sign_out(self, request):
        logout(request)  # flushes the session: its row (and cache entry) is deleted
        messages.info(request, "Your session has expired. Please sign in again.")
        if is_background(request):
            return None  # the view answers as to someone signed out: no redirect for a poll
        path = request.get_full_path() if request.method == "GET" else "/"
        response = redirect_to_login(path)
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(response["Location"])
        return response
