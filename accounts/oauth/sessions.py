"""allauth's user-sessions adapter (USERSESSIONS_ADAPTER): "Sign out other sessions" also revokes
the person's client-API tokens, so a stolen token dies with the stolen cookie, and closes those
sessions' live connections (instaclone.live)."""

from allauth.usersessions.adapter import DefaultUserSessionsAdapter

from instaclone import live

from .services import tokens_revoke_for_user


class UserSessionsAdapter(DefaultUserSessionsAdapter):
    def end_sessions(self, sessions) -> None:
        sessions = list(sessions)
        super().end_sessions(sessions)
        for user in {session.user for session in sessions}:
            tokens_revoke_for_user(user=user)
            live.sessions_closed(user.pk, [s.session_key for s in sessions if s.user_id == user.pk])
