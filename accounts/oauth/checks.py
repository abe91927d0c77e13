"""What a person's token may do before their email is confirmed (settings.API_USER_CHECK, called by
instaclone.api.endpoint for endpoints that need a user).

Mastodon answers every such endpoint but verify_credentials with 403 "Your login is missing a
confirmed e-mail address" until the address is confirmed; so do we. Only the token that
`POST /api/v1/accounts` returns can belong to an unconfirmed account (signing in on the web, the
only other way to get a token, needs a confirmed address), and it carries the UNCONFIRMED mark:
other tokens cost no query here."""

from __future__ import annotations

from allauth.account.models import EmailAddress

from .services import UNCONFIRMED, tokens_confirm_for_user

MESSAGE = "Your login is missing a confirmed e-mail address"


def user_api_refusal(request, token) -> str | None:
    if UNCONFIRMED not in (token.scope or "").split():
        return None
    if EmailAddress.objects.filter(user_id=token.user_id, verified=True).exists():
        tokens_confirm_for_user(user=token.user)  # confirmed meanwhile (missed signal): unmark
        return None
    return MESSAGE
