"""Keyset (cursor) pagination, the one paginator of the project. Never OFFSET: a list that changes
while someone scrolls neither repeats nor skips items, and a deep page costs what the first one does.

A page is read in one query of `page_size + 1` rows ordered on (created, id) - newest first by
default, oldest first for comments - or on id alone; the extra row only tells whether there is a
next page. The cursor is opaque to clients: urlsafe base64, unpadded, of "<created ISO>|<id>" (or of
"<id>" when a list is ordered on id alone). Anything else - not base64, not UTF-8, a naive or
unparsable time, an id outside 1..2**63-1 (a larger one overflows the database driver), a NUL -
raises InvalidCursor, a BadRequest, which Django answers with a 400.

Hand-written rather than django-rest-framework's CursorPagination: that one is tied to DRF requests
and responses and pages on one field with an offset for ties; this one pages on (created, id)
exactly and keeps the cursor format of the links already out there. Infrastructure: imports no app.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import BadRequest
from django.db.models import Q, QuerySet

MAX_ID = 2**63 - 1  # ids are 64-bit (BigAutoField); larger ones overflow the driver
_ID = re.compile(r"[1-9][0-9]*")


class InvalidCursor(BadRequest):
    """A cursor that this module did not make: the request is answered with a 400."""

    def __init__(self, message: str = "Invalid page cursor.") -> None:
        super().__init__(message)


@dataclass
class Page:
    items: list
    next_cursor: str | None
    # The cursor before the first item (set for a `Keyset` request: the API's Link rel="prev").
    prev_cursor: str | None = None

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _unb64(cursor: str) -> str:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.urlsafe_b64decode(padded.encode("ascii")).decode()
    except (ValueError, UnicodeError, binascii.Error):
        raise InvalidCursor() from None
    if "\x00" in cursor or "\x00" in text:
        raise InvalidCursor()
    return text


def _id(text: str) -> int:
    if not _ID.fullmatch(text) or int(text) > MAX_ID:
        raise InvalidCursor()
    return int(text)


def encode_cursor(created: datetime | None, id: int) -> str:  # noqa: A002 - mirrors the field name
    """The cursor after a row with this (created, id); `created=None` for a list ordered on id."""
    if created is None:
        return _b64(str(int(id)))
    return _b64(f"{created.isoformat()}|{int(id)}")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """(created, id) from a (created, id) cursor, or InvalidCursor (400) when it is not one of ours."""
    created_text, sep, id_text = _unb64(cursor).partition("|")
    if not sep:
        raise InvalidCursor()
    try:
        created = datetime.fromisoformat(created_text)
    except ValueError:
        raise InvalidCursor() from None
    if created.tzinfo is None:
        raise InvalidCursor()
    return created, _id(id_text)


def decode_id_cursor(cursor: str) -> int:
    """The id from an id-only cursor, or InvalidCursor (400)."""
    return _id(_unb64(cursor))


@dataclass(frozen=True)
class Keyset:
    """A window of a keyset list given by bounds rather than one cursor: the client API's
    `max_id` (older than), `since_id` (newer than, newest first) and `min_id` (the items just newer
    than: read oldest first from it, then turned back to newest first). Each bound is a cursor of
    this module. Pass it wherever a cursor goes: `keyset_q`, `keyset_order` and `keyset_page`
    understand it; a list that sorts by hand asks `ascending(cursor)`."""

    max: str | None = None
    since: str | None = None
    min: str | None = None

    def __bool__(self) -> bool:
        return bool(self.max or self.since or self.min)


def ascending(cursor) -> bool:
    """Whether rows must be read oldest first (a `Keyset` with `min`), then reversed."""
    return isinstance(cursor, Keyset) and bool(cursor.min)


def keyset_q(
    cursor: str | Keyset | None,
    *,
    created_field: str | None = "created",
    id_field: str = "id",
    descending: bool = True,
) -> Q:
    """The rows strictly after the cursor in the list's order (an empty Q on the first page).
    A `Keyset` gives the rows strictly between its bounds (for a newest-first list)."""
    if not cursor:
        return Q()
    if isinstance(cursor, Keyset):
        fields = {"created_field": created_field, "id_field": id_field}
        q = keyset_q(cursor.max, descending=descending, **fields)
        for lower in (cursor.since, cursor.min):
            if lower:
                q &= keyset_q(lower, descending=not descending, **fields)
        return q
    after = "lt" if descending else "gt"
    if created_field is None:
        return Q(**{f"{id_field}__{after}": decode_id_cursor(cursor)})
    created, pk = decode_cursor(cursor)
    return Q(**{f"{created_field}__{after}": created}) | Q(
        **{created_field: created, f"{id_field}__{after}": pk}
    )


def keyset_order(
    *, created_field: str | None = "created", id_field: str = "id", descending: bool = True, cursor=None
) -> list[str]:
    """The list's order; reversed while reading a `Keyset` with `min` (see `ascending`)."""
    sign = "-" if descending != ascending(cursor) else ""
    fields = [id_field] if created_field is None else [created_field, id_field]
    return [sign + f for f in fields]


def keyset_page(
    qs: QuerySet,
    cursor: str | Keyset | None,
    page_size: int,
    *,
    created_field: str | None = "created",
    id_field: str = "id",
    descending: bool = True,
    where: Q | None = None,
    key: Callable[[object], tuple] | None = None,
) -> Page:
    """One page of `qs` after `cursor` (one query: page_size + 1 rows tells whether there is more).

    `where` is ANDed with the keyset condition in the same filter() call, so that a condition on a
    multi-valued relation (feed_items__owner) and the keyset share one join. `key(last_item)` gives
    (created, id) for the next cursor when they are not the item's `created_field`/`id_field`
    attributes (paths with "__" are followed)."""
    condition = keyset_q(cursor, created_field=created_field, id_field=id_field, descending=descending)
    if where is not None:
        condition = where & condition
    if condition:
        qs = qs.filter(condition)
    order = keyset_order(created_field=created_field, id_field=id_field, descending=descending, cursor=cursor)
    rows = list(qs.order_by(*order)[: page_size + 1])
    items = rows[:page_size]

    def cursor_of(item) -> str:
        if key is not None:
            created, pk = key(item)
        else:
            created = None if created_field is None else _attr(item, created_field)
            pk = _attr(item, id_field)
        return encode_cursor(created, pk)

    if ascending(cursor):  # read oldest first from `min`: hand them back newest first
        items.reverse()
        return Page(items, cursor_of(items[-1]) if items else None, cursor_of(items[0]) if items else None)
    next_cursor = cursor_of(items[-1]) if len(rows) > page_size else None
    prev_cursor = cursor_of(items[0]) if isinstance(cursor, Keyset) and items else None
    return Page(items, next_cursor, prev_cursor)


def _attr(obj, path: str):
    for part in path.split("__"):
        obj = getattr(obj, part)
    return obj
