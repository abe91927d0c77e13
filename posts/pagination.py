"""Keyset (cursor) pagination on (created, id), newest first. Never OFFSET: a list that changes
while someone scrolls neither repeats nor skips items.

The cursor is opaque to clients: urlsafe base64 of "<created ISO>|<id>". Garbage gives a 400.
Shared by the posts pages and the social feed.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import BadRequest
from django.db.models import Q, QuerySet


@dataclass
class Page:
    items: list
    next_cursor: str | None

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def encode_cursor(created: datetime, id: int) -> str:  # noqa: A002 - mirrors the field name
    raw = f"{created.isoformat()}|{int(id)}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """(created, id) from a cursor, or BadRequest (400) when it is not one of ours."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        created_text, id_text = base64.urlsafe_b64decode(padded.encode("ascii")).decode().split("|")
        created = datetime.fromisoformat(created_text)
        pk = int(id_text)
    except (ValueError, TypeError, UnicodeError, binascii.Error):
        raise BadRequest("Invalid page cursor.") from None
    if created.tzinfo is None or not 1 <= pk <= 2**63 - 1:  # ids are 64-bit; larger ones overflow the driver
        raise BadRequest("Invalid page cursor.")
    return created, pk


def keyset_filter(qs: QuerySet, cursor: str | None, *, created_field: str = "created", id_field: str = "id") -> QuerySet:
    """Rows after the cursor, newest first: ORDER BY created DESC, id DESC."""
    if cursor:
        created, pk = decode_cursor(cursor)
        qs = qs.filter(
            Q(**{f"{created_field}__lt": created}) | Q(**{created_field: created, f"{id_field}__lt": pk})
        )
    return qs.order_by(f"-{created_field}", f"-{id_field}")


def keyset_page(
    qs: QuerySet, cursor: str | None, page_size: int, *, created_field: str = "created", id_field: str = "id"
) -> Page:
    """One page (one query: page_size + 1 rows tells whether there is a next page)."""
    rows = list(keyset_filter(qs, cursor, created_field=created_field, id_field=id_field)[: page_size + 1])
    items = rows[:page_size]
    next_cursor = None
    if len(rows) > page_size:
        last = items[-1]
        next_cursor = encode_cursor(_attr(last, created_field), _attr(last, id_field))
    return Page(items, next_cursor)


def _attr(obj, path: str):
    for part in path.split("__"):
        obj = getattr(obj, part)
    return obj
