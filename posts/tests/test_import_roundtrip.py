"""The round trip (issue 15): alice downloads her information (Settings → Download your
information, social.exports) and a fresh account on this site imports that ZIP (Settings → Import):
captions, alt texts, dates, frames, media order, photos and videos and archived posts come back.
Driven through the pages only (posts' tests may not import social), so it is the path a person takes."""

from __future__ import annotations

import re
import zipfile
from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.tests.factories import UserFactory
from posts.models import Post
from posts.services import post_create
from posts.services.archive import post_archive

from .factories import jpeg, real_mp4, upload

pytestmark = pytest.mark.django_db


def _dated(post, when):
    Post.objects.filter(pk=post.pk).update(created=when)


def _export_zip(client) -> bytes:
    assert client.post("/settings/download/").status_code == 302  # the task runs at once in tests
    html = client.get("/settings/download/").content.decode()
    href = re.search(r'href="(/settings/download/[^"]+)"[^>]*download', html)
    assert href, "no download link on the page"
    response = client.get(href.group(1))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _shape(user) -> list:
    return [
        (
            p.caption, p.created, p.aspect, round(p.aspect_ratio, 3), p.is_archived, p.has_video,
            [(m.kind, m.alt_text, m.width, m.height) for m in p.media.order_by("position")],
        )
        for p in Post.objects.filter(author=user).order_by("created", "id")
    ]


def test_an_instaclone_export_imported_into_a_fresh_account_comes_back_the_same(client, alice, bob, tmp_path):
    carousel = post_create(
        author=alice, caption="Harbour ⚓ at dawn #sea with @bob", aspect="square",
        files=[(jpeg("a.jpg", size=(80, 60), color=(255, 0, 0)), "Red boats"),
               (jpeg("b.jpg", size=(60, 80), color=(0, 255, 0)), "Green door"),
               (jpeg("c.jpg", size=(70, 70), color=(0, 0, 255)), "")],
    )
    _dated(carousel, datetime(2020, 5, 17, 6, 30, 15, 123456, tzinfo=UTC))
    single = post_create(author=alice, caption="Café 😊", files=[(jpeg("d.jpg", size=(90, 60)), "A cup")])
    _dated(single, datetime(2021, 1, 2, 3, 4, 5, tzinfo=UTC))
    old = post_create(author=alice, caption="Hidden away", files=[(jpeg("e.jpg"), "Trees")])
    _dated(old, datetime(2019, 9, 9, 9, 9, 9, tzinfo=UTC))
    post_archive(post=old, by=alice)
    mp4 = real_mp4()
    if mp4:
        video = post_create(author=alice, caption="Waves", files=[(upload("w.mp4", mp4, "video/mp4"), "Waves rolling")])
        _dated(video, datetime(2022, 8, 1, tzinfo=UTC))

    client.force_login(alice)
    data = _export_zip(client)
    (tmp_path / "export.zip").write_bytes(data)
    with zipfile.ZipFile(tmp_path / "export.zip") as zf:
        assert "posts.json" in zf.namelist()

    zoe = UserFactory(username="zoe")
    client.force_login(zoe)
    response = client.post("/settings/import/", {"archive": SimpleUploadedFile("instaclone-alice.zip", data, "application/zip")})
    assert response.status_code == 302, response.content.decode()[:2000]

    job = zoe.import_jobs.get()
    assert (job.status, job.source, job.failed, job.errors) == ("done", "instaclone", 0, [])
    assert _shape(zoe) == _shape(alice)
    assert list(Post.objects.get(author=zoe, caption__startswith="Harbour").mentions.all()) == [bob]
