import time

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ValidationError
from django.shortcuts import redirect

from . import ratelimits
from .validators import validate_username

# Set when the right password was given for an account scheduled for deletion (respond_user_inactive):
# {"user": id, "at": unix time}; read by accounts.views.account_restore.
RESTORE_SESSION_KEY = "accounts_restore_offer"


class AccountAdapter(DefaultAccountAdapter):
    def clean_username(self, username, shallow=False):
        try:
            validate_username(username)
        except ValidationError as exc:
            raise ValidationError(exc.messages[0], code=exc.error_list[0].code) from None  # "reserved", "invalid"
        return super().clean_username(username, shallow=shallow)

    def get_client_ip(self, request):
        """allauth's per-IP rate limits use the app's one client address (accounts.ratelimits)."""
        ip = ratelimits.client_ip(request)
        if not ip:
            return super().get_client_ip(request)  # allauth refuses the request (403)
        return ip

    def _get_login_attempts_cache_key(self, request, **credentials):
        """One failed-sign-in counter per account whatever was typed (username, email, any case).
        Overrides a private hook of allauth 65.x; tests/test_lockout.py pins the behaviour. It is
        also what allauth clears after a successful password reset."""
        login = credentials.get("email") or credentials.get("username") or ""
        return f"{get_current_site(request).domain}:{ratelimits.login_lockout_key(login)}"

    def pre_authenticate(self, request, **credentials):
        """allauth's lockout check, with a message that says when to try again."""
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError as exc:
            if exc.code != "too_many_login_attempts":
                raise
            wait = ratelimits.retry_after(
                request, action="login_failed", key=self._get_login_attempts_cache_key(request, **credentials)
            )
            raise ValidationError(ratelimits.retry_message(wait), code=exc.code) from None

    def pre_login(self, request, user, **kwargs):
        """An inactive account signing in: allauth clears the session's record of how the person
        authenticated before `respond_user_inactive`, so whether it was the right password, just
        now, is read here first."""
        request.restore_offer = bool(
            not user.is_active and user.deletion_requested_at is not None and _password_just_checked(request, user)
        )
        return super().pre_login(request, user, **kwargs)

    def respond_user_inactive(self, request, user):
        """An inactive account signed in. One whose owner asked to delete it, with the right
        password just now, is offered its restore (accounts.views.account_restore); a suspended
        one (no deletion asked for), or a sign-in by emailed code, gets allauth's "inactive" page
        (templates/account/account_inactive.html). A wrong password never gets here: it is the
        usual sign-in error, whatever the account's state."""
        if getattr(request, "restore_offer", False):
            request.session[RESTORE_SESSION_KEY] = {"user": user.pk, "at": time.time()}
            return redirect("accounts:restore")
        return super().respond_user_inactive(request, user)


def _password_just_checked(request, user, within: float = 60.0) -> bool:
    """allauth recorded a password sign-in of `user` in this session within `within` seconds (it
    records the method before its pre-login check refuses an inactive account)."""
    records = get_authentication_records(request, user)
    last = records[-1] if records else {}
    return last.get("method") == "password" and time.time() - float(last.get("at", 0)) < within
