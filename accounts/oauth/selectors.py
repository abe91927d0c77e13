"""Reads for the OAuth side: the apps a person has authorised (Settings → Apps)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from oauth2_provider.models import get_access_token_model

from ..models import User
from .scopes import describe
from .services import UNCONFIRMED


@dataclass
class AuthorizedApp:
    id: int
    name: str
    website: str
    authorized_at: datetime
    scopes: list[str] = field(default_factory=list)
    tokens: int = 0

    @property
    def scopes_in_words(self) -> list[tuple[str, str]]:
        return describe(self.scopes)


def authorized_apps(user: User) -> list[AuthorizedApp]:
    """The apps holding a token of `user`, newest authorisation first, each with the scopes its
    tokens grant (one query)."""
    rows = (
        get_access_token_model().objects.filter(user=user, application__isnull=False)
        .order_by("created")
        .values_list("application_id", "application__name", "application__website", "scope", "created")
    )
    apps: dict[int, AuthorizedApp] = {}
    for app_id, name, website, scope, created in rows:
        app = apps.setdefault(app_id, AuthorizedApp(app_id, name or "Unnamed app", website or "", created))
        app.authorized_at = created  # the latest authorisation
        app.tokens += 1
        for word in scope.split():
            if word != UNCONFIRMED and word not in app.scopes:
                app.scopes.append(word)
    return sorted(apps.values(), key=lambda a: a.authorized_at, reverse=True)
