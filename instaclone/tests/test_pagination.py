"""The one keyset paginator (instaclone.pagination), on a model of Django's own (the admin log:
action_time + id) so that the infrastructure's tests need no app either."""

import base64
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.core.exceptions import BadRequest
from django.db.models import Q

from instaclone.pagination import (
    InvalidCursor,
    decode_cursor,
    decode_id_cursor,
    encode_cursor,
    keyset_page,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)
TIME = {"created_field": "action_time"}


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.fixture
def entries(db):
    """Seven log rows; rows 2, 3 and 4 share one timestamp so that only the id breaks the tie."""
    user = get_user_model().objects.create_user("logger", password="x")
    times = [
        T0,
        T0 + timedelta(1),
        T0 + timedelta(2),
        T0 + timedelta(2),
        T0 + timedelta(2),
        T0 + timedelta(3),
        T0 + timedelta(4),
    ]
    return [
        LogEntry.objects.create(user=user, action_flag=1, object_repr=str(i), action_time=t)
        for i, t in enumerate(times)
    ]


def _walk(qs, size, **options):
    seen, cursor = [], None
    while True:
        page = keyset_page(qs, cursor, size, **options)
        seen.extend(e.pk for e in page)
        if not page.has_next:
            return seen
        cursor = page.next_cursor


def test_the_cursor_keeps_the_format_of_links_already_out_there():
    created = datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=UTC)
    assert encode_cursor(created, 42) == _b64(b"2026-03-04T05:06:07.891011+00:00|42")
    assert decode_cursor(_b64(b"2026-03-04T05:06:07.891011+00:00|42")) == (created, 42)
    assert encode_cursor(None, 42) == _b64(b"42") and decode_id_cursor(_b64(b"42")) == 42


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "%%%garbage",
        "\x00",
        _b64(b"2026-01-01T00:00:00+00:00|1\x00"),
        _b64(b"2026-01-01T00:00:00+00:00|99999999999999999999999"),  # beyond 64 bits
        _b64(b"2026-01-01T00:00:00+00:00|9223372036854775808"),  # 2**63
        _b64(b"2026-01-01T00:00:00+00:00|0"),
        _b64(b"2026-01-01T00:00:00+00:00|-1"),
        _b64(b"2026-01-01T00:00:00+00:00|1_000"),
        _b64(b"2026-01-01T00:00:00|1"),  # naive time
        _b64(b"yesterday|1"),
        _b64(b"2024-01-01|0"),
        _b64(b"12"),  # an id-only cursor where (created, id) is expected
        _b64("2026-01-01T00:00:00+00:00|\u0661".encode()),  # an Arabic-Indic digit
        _b64(b"\xff\xfe"),  # not UTF-8
        "é",
    ],
)
def test_a_cursor_we_did_not_make_is_one_error_that_is_a_400(cursor):
    with pytest.raises(InvalidCursor) as caught:
        decode_cursor(cursor)
    assert isinstance(caught.value, BadRequest)  # Django's handler answers it with a 400


@pytest.mark.parametrize("cursor", ["\x00", _b64(b"0"), _b64(b"9223372036854775808"), _b64(b"2026|1"), "%%"])
def test_a_bad_id_only_cursor_is_invalid(cursor):
    with pytest.raises(InvalidCursor):
        decode_id_cursor(cursor)


def test_the_largest_64_bit_id_is_a_valid_cursor():
    assert decode_cursor(encode_cursor(T0, 2**63 - 1)) == (T0, 2**63 - 1)


@pytest.mark.parametrize("size", [1, 2, 3, 7, 8])
def test_newest_first_pages_cover_every_row_once_ties_broken_by_id(entries, size):
    expected = [e.pk for e in sorted(entries, key=lambda e: (e.action_time, e.pk), reverse=True)]
    assert _walk(LogEntry.objects.all(), size, **TIME) == expected


@pytest.mark.parametrize("size", [1, 2, 3, 7])
def test_oldest_first_pages_cover_every_row_once(entries, size):
    expected = [e.pk for e in sorted(entries, key=lambda e: (e.action_time, e.pk))]
    assert _walk(LogEntry.objects.all(), size, descending=False, **TIME) == expected


@pytest.mark.parametrize("size", [1, 3])
def test_id_only_pages_newest_first(entries, size):
    expected = sorted((e.pk for e in entries), reverse=True)
    assert _walk(LogEntry.objects.all(), size, created_field=None) == expected


def test_rows_added_while_scrolling_neither_repeat_nor_skip(entries):
    first = keyset_page(LogEntry.objects.all(), None, 3, **TIME)
    LogEntry.objects.create(
        user=entries[0].user, action_flag=1, object_repr="new", action_time=T0 + timedelta(9)
    )
    second = keyset_page(LogEntry.objects.all(), first.next_cursor, 3, **TIME)
    ordered = [e.pk for e in sorted(entries, key=lambda e: (e.action_time, e.pk), reverse=True)]
    assert [e.pk for e in first] + [e.pk for e in second] == ordered[:6]


@pytest.mark.parametrize("rows,size,has_next", [(7, 7, False), (7, 6, True), (7, 8, False)])
def test_a_page_is_one_query_and_knows_if_there_is_more(
    entries, django_assert_num_queries, rows, size, has_next
):
    with django_assert_num_queries(1):  # the page, LIMIT size + 1
        page = keyset_page(LogEntry.objects.all(), None, size, **TIME)
    assert len(page) == min(rows, size) and page.has_next is has_next


def test_where_and_key_let_a_page_follow_a_relation(entries):
    page = keyset_page(LogEntry.objects.all(), None, 10, where=~Q(action_time=T0), **TIME)
    assert len(page) == 6 and T0 not in [e.action_time for e in page]
    keyed = keyset_page(LogEntry.objects.all(), None, 1, key=lambda e: (e.action_time, e.pk + 1000), **TIME)
    assert decode_cursor(keyed.next_cursor)[1] == keyed.items[0].pk + 1000
