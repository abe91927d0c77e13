"""Mastodon's OAuth scopes: which exist, and which a granted scope covers.

`read` covers every `read:…` scope, `write` every `write:…` scope, and the legacy `follow` covers
`read:follows`, `write:follows`, `read:blocks`, `write:blocks`, `read:mutes` and `write:mutes`
(instaclone.api.scope_allows is the same rule at request time). The list is the OAUTH2_PROVIDER
"SCOPES" setting, so one place names them."""

from __future__ import annotations

from oauth2_provider.settings import oauth2_settings

from instaclone.api import scope_allows


def known_scopes() -> list[str]:
    return list(oauth2_settings.SCOPES)


def parse_scopes(text: str | None, *, default: str = "read") -> list[str]:
    """Scopes as a client sends them (space- or plus-separated), in order, without repeats."""
    words = (text or "").replace("+", " ").split() or default.split()
    return list(dict.fromkeys(words))


def unknown_scopes(scopes: list[str]) -> list[str]:
    known = set(oauth2_settings.SCOPES)
    return [scope for scope in scopes if scope not in known]


def covered_by(granted: list[str] | set[str] | frozenset[str], requested: list[str]) -> bool:
    """Whether every requested scope is within the granted ones (with Mastodon's hierarchy)."""
    granted = frozenset(granted)
    return all(scope_allows(granted, scope) for scope in requested)


def describe(scopes: list[str]) -> list[tuple[str, str]]:
    """(scope, what it lets the app do, in words) for the consent page and the apps page."""
    words = oauth2_settings.SCOPES
    return [(scope, words.get(scope, scope)) for scope in scopes]
