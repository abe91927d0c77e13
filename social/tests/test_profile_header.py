"""The profile header is written once (social/_profile_header.html) and drawn by the profile page, the
profile of someone the viewer blocked and the moderation preview of a reported account."""

import re
from pathlib import Path

import pytest

from accounts.tests.factories import BlockFactory
from social import moderation

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
HEADER = re.compile(r'<header class="profile__header[^"]*">\s*<img class="avatar avatar--xl" src="[^"]+" alt="alice\'s profile photo"')


def test_the_profile_header_markup_is_in_one_template():
    writers = sorted(str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html") if "profile__header" in p.read_text())
    assert writers == ["social/_profile_header.html"]


@pytest.mark.django_db
def test_profile_blocked_profile_and_report_preview_draw_the_same_header(client, alice, bob, moderator):
    client.force_login(bob)
    assert HEADER.search(client.get("/alice/").content.decode())
    BlockFactory(blocker=bob, blocked=alice)
    blocked = client.get("/alice/").content.decode()
    assert HEADER.search(blocked) and "Unblock" in blocked and 'id="profile-counts"' not in blocked
    report = moderation.report_create(reporter=bob, target=alice, reason="spam").report
    client.force_login(moderator)
    preview = client.get(f"/admin/social/report/{report.pk}/change/").content.decode()
    assert HEADER.search(preview) and '<p class="profile__username">alice</p>' in preview
