"""One normalisation for usernames, shared by the unique constraint, every lookup and the look-alike
report (issue 9, item 1).

The constraint `accounts_user_username_ci_unique` compares `Lower("username")`. A lookup that
compares anything else (Django's `iexact` is `UPPER(a) = UPPER(b)` on PostgreSQL, and
`UPPER('alıce') = 'ALICE'`) can find two rows for one name. So every lookup goes through
`lookup_key()` and compares `Lower("username")` with it; usernames are ASCII only (validators.py),
so for every name that can be stored today Python's `str.lower()` and the database's `LOWER()`
agree. Input that is not ASCII can never name an account and answers "no such user" without a
query.

Who uses it: `User.objects.by_username()` (profile pages, follow/block, followers lists, mentions)
and `get_by_natural_key()` (Django's ModelBackend, which runs first and so decides every password
login by username). allauth's own backend, which runs after it, looks names up with
`username IN (lower(input))`: an exact match against our stored names, which are lower-case ASCII,
so it cannot return two rows either (tests/test_usernames.py pins both).

This module imports no model: the data migration uses `username_collisions()` as well.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field


def lookup_key(username: str) -> str | None:
    """The value `Lower("username")` must equal for `username` to name an account, or None when
    no account can have that name (not ASCII, empty, or holding a NUL)."""
    username = (username or "").strip()
    if not username or not username.isascii() or "\x00" in username:
        return None
    return username.lower()


def skeleton(username: str) -> str:
    """What a name looks like once compatibility forms and case are folded away: `ſam` -> `sam`,
    `Kate` (Kelvin sign) -> `kate`, `alıce` -> `alice` (through the upper case PostgreSQL uses).
    Two rows with the same skeleton are look-alikes."""
    return unicodedata.normalize("NFKC", username).upper().casefold()


@dataclass
class Row:
    pk: int
    username: str


@dataclass
class CollisionReport:
    non_ascii: list[Row] = field(default_factory=list)
    # groups of (pk, username) whose skeletons are equal, each with at least two rows
    colliding: list[list[tuple[int, str]]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.non_ascii or self.colliding)

    def lines(self) -> list[str]:
        out = []
        for row in self.non_ascii:
            out.append(f"non-ASCII username: id={row.pk} username={row.username!r}")
        for group in self.colliding:
            names = ", ".join(f"id={pk} {name!r}" for pk, name in group)
            out.append(f"look-alike group: {names}")
        return out


def username_collisions(rows: Iterable[tuple[int, str]]) -> CollisionReport:
    """Find stored usernames that are not ASCII, and groups of rows that look alike once case and
    compatibility forms are folded. `rows` is an iterable of (pk, username), read once."""
    report = CollisionReport()
    by_skeleton: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for pk, username in rows:
        if not username.isascii():
            report.non_ascii.append(Row(pk, username))
        by_skeleton[skeleton(username)].append((pk, username))
    report.colliding = [sorted(group) for group in by_skeleton.values() if len(group) > 1]
    report.colliding.sort()
    return report
