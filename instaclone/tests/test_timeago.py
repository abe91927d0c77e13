"""The one time format (Instagram's): now, 5m, 3h, 2d, 4w, then the date; full date as tooltip."""

from datetime import UTC, datetime, timedelta

import pytest
from django.template import Context, Template

from instaclone.templatetags.timeago import short_age

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("ago", "expected"),
    [
        (timedelta(seconds=0), "now"),
        (timedelta(seconds=59), "now"),
        (timedelta(seconds=60), "1m"),
        (timedelta(minutes=59, seconds=59), "59m"),
        (timedelta(hours=1), "1h"),
        (timedelta(hours=23, minutes=59), "23h"),
        (timedelta(days=1), "1d"),
        (timedelta(days=6, hours=23), "6d"),
        (timedelta(days=7), "1w"),
        (timedelta(weeks=51, days=6), "51w"),
        (timedelta(weeks=52), "Dec 1, 2025"),
        (timedelta(days=-1), "Dec 1, 2026"),  # clock skew: the date, not "-1d"
    ],
)
def test_short_age(ago, expected):
    assert short_age(NOW - ago, now=NOW) == expected


def test_tag_renders_a_time_element_with_the_full_date_as_tooltip(settings):
    settings.TIME_ZONE = "UTC"
    value = datetime.now(UTC) - timedelta(hours=5, minutes=3)
    html = Template("{% load timeago %}{% timeago value %}|{% timeago value full=True %}").render(
        Context({"value": value})
    )
    short, full = html.split("|")
    assert short.startswith(f'<time datetime="{value.isoformat()}" title="')
    assert short.endswith(">5h</time>")
    assert f">{value:%Y}" not in short and str(value.year) in full
    assert f"title=\"{value:%B} {value.day}, {value.year} at {value:%H:%M}\"" in short
