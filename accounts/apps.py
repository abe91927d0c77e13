from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from .middleware import end_live_connections, start_session_clock

        user_logged_in.connect(start_session_clock, dispatch_uid="accounts.start_session_clock")
        user_logged_out.connect(end_live_connections, dispatch_uid="accounts.end_live_connections")

        from allauth.account import signals as allauth_signals

        from .middleware import end_other_live_connections

        for name in ("password_changed", "password_reset", "password_set"):  # the other sessions' sockets
            getattr(allauth_signals, name).connect(end_other_live_connections, dispatch_uid=f"accounts.live.{name}")

        from .oauth import receivers

        receivers.connect()  # a password change revokes the client-API tokens (issue 14)
