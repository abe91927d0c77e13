"""Times as Instagram writes them: `{% timeago value %}` renders

    <time datetime="2026-11-30T00:15:00+00:00" title="November 30, 2026 at 00:15">5h</time>

"now" under a minute, then "5m", "3h", "2d", "4w" (up to 52 weeks), then the date ("Mar 5, 2024").
The full date and time is the tooltip. One tag for every card, comment and notification, so the
site has one format; written as a tag rather than three filters because the feed renders it a few
dozen times a page and one Python call costs a fraction of `timesince` + two `date` filters.
"""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe

register = template.Library()

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

_STEPS = (
    (60 * 60, 60, "m"),
    (24 * 60 * 60, 60 * 60, "h"),
    (7 * 24 * 60 * 60, 24 * 60 * 60, "d"),
    (52 * 7 * 24 * 60 * 60, 7 * 24 * 60 * 60, "w"),
)


def short_age(value: datetime, now: datetime | None = None) -> str:
    """Returns "now", "5m", "3h", "2d", "4w", or the date for anything a year old or more (or in the future
    by more than a minute, which only clock skew produces)."""
    now = now or timezone.now()
    seconds = (now - value).total_seconds()
    if -60 < seconds < 60:
        return "now"
    if seconds > 0:
        for limit, unit, suffix in _STEPS:
            if seconds < limit:
                return f"{int(seconds // unit)}{suffix}"
    local = value.astimezone(timezone.get_default_timezone())
    return f"{_MONTHS[local.month - 1][:3]} {local.day}, {local.year}"


@register.simple_tag
def timeago(value: datetime | None, full: bool = False) -> str:
    """The <time> element. `full=True` shows the full date as the text too (the post page)."""
    if value is None:
        return ""
    # English only, in the site's time zone (no per-person zones are activated), like the rest of
    # the site: formatted here rather than by Django's localised date_format and format_html, which
    # cost ten times as much, and this runs a few dozen times a page. No text comes from a person.
    local = value.astimezone(timezone.get_default_timezone())
    title = f"{_MONTHS[local.month - 1]} {local.day}, {local.year} at {local.hour:02d}:{local.minute:02d}"
    return mark_safe(  # noqa: S308 -- an ISO date and our own words, nothing a person wrote
        f'<time datetime="{value.isoformat()}" title="{title}">{title if full else short_age(value)}</time>'
    )
