"""allauth's signals that change what a person's tokens may do (connected in AccountsConfig.ready):
a password change, reset or first set revokes every token; a confirmed email lifts the
unconfirmed mark of the token that API registration returned."""

from .services import tokens_confirm_for_user, tokens_revoke_for_user


def revoke_tokens(sender, request=None, user=None, **kwargs) -> None:
    if user is not None:
        tokens_revoke_for_user(user=user)


def confirm_tokens(sender, request=None, email_address=None, **kwargs) -> None:
    if email_address is not None and email_address.user_id is not None:
        tokens_confirm_for_user(user=email_address.user)


def connect() -> None:
    from allauth.account import signals

    for name in ("password_changed", "password_reset", "password_set"):
        getattr(signals, name).connect(revoke_tokens, dispatch_uid=f"accounts.oauth.revoke_tokens.{name}")
    signals.email_confirmed.connect(confirm_tokens, dispatch_uid="accounts.oauth.confirm_tokens")
