from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ValidationError

from . import ratelimits
from .validators import validate_username


class AccountAdapter(DefaultAccountAdapter):
    def clean_username(self, username, shallow=False):
        try:
            validate_username(username)
        except ValidationError as exc:
            raise ValidationError(exc.messages[0]) from None
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
