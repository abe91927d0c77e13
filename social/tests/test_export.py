"""Download your information (issue 15, social/exports/, docs/export.md): the archive's contents,
one export at a time, the daily limit, expiry, the owner-only download, failures that leave no
file, the page's queries, and ImageKit storage (the fake server)."""

import io
import json
import re
import zipfile
from datetime import timedelta
from html.parser import HTMLParser

import httpx
import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from accounts.services import block_create
from accounts.tests.factories import FollowFactory, UserFactory, make_private
from posts.models import PostMedia
from posts.services.archive import post_archive
from posts.services.collections import collection_add_post, collection_create
from posts.tests.factories import CommentFactory, LikeFactory, PostFactory, SaveFactory
from social.exports import build, services
from social.models import DataExport, Notification
from social.tasks import data_exports_expire

pytestmark = pytest.mark.django_db

PAGE = "/settings/download/"
JSON_FILES = {
    "profile.json", "posts.json", "comments.json", "likes.json", "saves.json", "collections.json",
    "followers.json", "following.json", "blocks.json", "notifications.json",
}


def _request(client) -> DataExport:
    response = client.post(PAGE)
    assert response.status_code == 302 and response["Location"] == PAGE
    return DataExport.objects.filter(user=response.wsgi_request.user).order_by("-id").first()


def _download(client, export) -> zipfile.ZipFile:
    response = client.get(reverse("social:data_export_file", args=[export.pk]))
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="instaclone-')
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def _exports_in_storage(media_root) -> list[str]:
    folder = media_root / "exports"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href") and value and not value.startswith(("#", "http")):
                self.links.append(value)


@pytest.fixture
def world(alice, bob, charlie):
    """alice's life: two posts (a carousel with alt texts and a tag, an archived one), a comment
    and a like on bob's post, a save in a collection, a like on a post of charlie's that she can no
    longer see, followers, following, a block, notifications."""
    first = PostFactory(author=alice, caption="Golden hour #sunset #Travel", images=2, alt="A beach at dusk")
    second = PostFactory(author=alice, caption="Old one", images=1, alt="A tree")
    post_archive(post=second, by=alice)
    bobs = PostFactory(author=bob, caption="Bob's", images=1)
    CommentFactory(author=alice, post=bobs, body="Nice one, @bob!")
    LikeFactory(user=alice, post=bobs)
    SaveFactory(user=alice, post=bobs)
    collection = collection_create(owner=alice, name="Beaches")
    collection_add_post(collection=collection, by=alice, post_id=bobs.pk)
    hidden_now = PostFactory(author=charlie, caption="charlie's secret", images=1)
    LikeFactory(user=alice, post=hidden_now)
    make_private(charlie)  # alice does not follow charlie: the liked post is no longer hers to see
    FollowFactory(follower=bob, followee=alice)
    FollowFactory(follower=alice, followee=bob)
    dana = UserFactory(username="dana")
    block_create(blocker=alice, blocked=dana)
    LikeFactory(user=bob, post=first)
    return {"first": first, "second": second, "bobs": bobs, "hidden_now": hidden_now, "collection": collection}


def test_the_archive_holds_every_document_and_the_original_media(alice_client, alice, bob, world, media_root):
    export = _request(alice_client)
    export.refresh_from_db()
    assert export.status == DataExport.Status.READY, export.error
    assert export.file.startswith("exports/") and export.file.endswith(".zip")
    assert export.expires_at - export.finished_at == timedelta(days=7)
    archive = _download(alice_client, export)
    names = set(archive.namelist())
    assert JSON_FILES | {"index.html"} <= names

    profile = json.loads(archive.read("profile.json"))
    assert profile["format"] == "instaclone-export" and profile["version"] == 1
    assert profile["username"] == "alice" and profile["display_name"] == "Alice Liddell"
    assert profile["email"] == alice.email and profile["is_private"] is False
    assert profile["date_joined"].endswith("Z") and profile["exported_at"].endswith("Z")

    posts = json.loads(archive.read("posts.json"))
    first, second = world["first"], world["second"]
    assert [p["id"] for p in posts] == [first.pk, second.pk]  # oldest first
    carousel = posts[0]
    assert carousel["caption"] == "Golden hour #sunset #Travel"
    assert carousel["hashtags"] == ["sunset", "travel"]
    assert carousel["url"] == f"http://testserver/p/{first.pk}/"
    assert carousel["created_at"] == first.created.isoformat().replace("+00:00", "Z")
    assert carousel["aspect"] == first.aspect and carousel["aspect_ratio"] == first.aspect_ratio
    assert carousel["like_count"] == 1 and carousel["is_archived"] is False
    assert posts[1]["is_archived"] is True
    rows = list(PostMedia.objects.filter(post=first).order_by("position"))
    assert [m["position"] for m in carousel["media"]] == [0, 1]
    for entry, row in zip(carousel["media"], rows, strict=True):
        assert entry["path"] == f"media/posts/{first.pk}/{row.position}-{row.file.rsplit('/', 1)[1]}"
        assert entry["kind"] == "image" and entry["alt_text"] == "A beach at dusk"
        assert (entry["width"], entry["height"]) == (row.width, row.height)
        with default_storage.open(row.file, "rb") as fh:
            assert archive.read(entry["path"]) == fh.read()  # byte for byte the stored original
    media_in_zip = {n for n in names if n.startswith("media/")}
    assert media_in_zip == {m["path"] for p in posts for m in p["media"]}

    bobs, hidden_now = world["bobs"], world["hidden_now"]
    comments = json.loads(archive.read("comments.json"))
    assert [(c["post_id"], c["body"], c["post_author"]) for c in comments] == [(bobs.pk, "Nice one, @bob!", "bob")]
    assert comments[0]["post_url"] == f"http://testserver/p/{bobs.pk}/"
    likes = json.loads(archive.read("likes.json"))
    assert [(lk["post_id"], lk["author"]) for lk in likes] == [(bobs.pk, "bob"), (hidden_now.pk, None)]
    saves = json.loads(archive.read("saves.json"))
    assert [s["post_id"] for s in saves] == [bobs.pk]
    assert json.loads(archive.read("collections.json")) == [
        {"name": "Beaches", "created_at": world["collection"].created.isoformat().replace("+00:00", "Z"), "post_ids": [bobs.pk]}
    ]
    assert [f["username"] for f in json.loads(archive.read("followers.json"))] == ["bob"]
    assert [f["username"] for f in json.loads(archive.read("following.json"))] == ["bob"]
    assert [b["username"] for b in json.loads(archive.read("blocks.json"))] == ["dana"]
    notifications = json.loads(archive.read("notifications.json"))
    assert {(n["kind"], n["actor"], n["post_id"], n["read"]) for n in notifications} == {
        ("follow", "bob", None, False), ("like", "bob", first.pk, False),
    }
    assert Notification.objects.filter(recipient=alice).count() == 2

    # nothing of charlie's private post but its id and URL
    everything = b"".join(archive.read(n) for n in names if not n.startswith("media/"))
    assert b"charlie's secret" not in everything and b"charlie" not in everything

    index = archive.read("index.html").decode()
    parser = _Links()
    parser.feed(index)
    assert parser.links and all(link in names for link in parser.links), set(parser.links) - names
    assert "Golden hour #sunset #Travel" in index and 'alt="A beach at dusk"' in index
    assert "<script" not in index


def test_the_stored_zip_is_the_downloaded_file_and_its_size(alice_client, world):
    export = _request(alice_client)
    export.refresh_from_db()
    response = alice_client.get(reverse("social:data_export_file", args=[export.pk]))
    body = b"".join(response.streaming_content)
    with default_storage.open(export.file, "rb") as fh:
        assert fh.read() == body
    assert export.size == len(body)
    assert response["Cache-Control"] == "private, no-store"


def test_the_person_is_emailed_a_link_to_the_page(alice_client, alice):
    _request(alice_client)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [alice.email]
    assert "ready" in message.subject
    assert "http://testserver/settings/download/" in message.body


def test_the_page_offers_the_download_once_ready(alice_client, alice):
    response = alice_client.get(PAGE)
    assert b"Request a download" in response.content
    export = _request(alice_client)
    response = alice_client.get(PAGE)
    assert reverse("social:data_export_file", args=[export.pk]).encode() in response.content
    assert b"Request a download" not in response.content  # one at a time
    assert b"Download your information" in response.content


def test_one_export_at_a_time(alice_client, alice, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # stays pending
    _request(alice_client)
    response = alice_client.post(PAGE, follow=True)
    assert b"already being prepared" in response.content
    assert DataExport.objects.filter(user=alice).count() == 1
    # pending: the page polls with htmx, and the poll gets the status region only
    page = alice_client.get(PAGE)
    assert b'hx-trigger="every 2s"' in page.content and b"Waiting to start" in page.content
    poll = alice_client.get(PAGE, HTTP_HX_REQUEST="true")
    assert poll.content.lstrip().startswith(b'<div id="export-status"')
    assert b"<html" not in poll.content


def test_a_ready_export_blocks_another_until_deleted(alice_client, alice, media_root):
    export = _request(alice_client)
    response = alice_client.post(PAGE, follow=True)
    assert b"already being prepared or ready" in response.content
    assert _exports_in_storage(media_root)
    alice_client.post(reverse("social:data_export_delete", args=[export.pk]))
    export.refresh_from_db()
    assert export.status == DataExport.Status.EXPIRED and export.file == ""
    assert _exports_in_storage(media_root) == []
    assert alice_client.get(reverse("social:data_export_file", args=[export.pk])).status_code == 404
    assert _request(alice_client).pk != export.pk


def test_requests_are_limited_per_day(alice_client, alice, settings):
    settings.DATA_EXPORTS_PER_DAY = 2
    for _ in range(2):
        export = _request(alice_client)
        services.data_export_delete(user=alice, export_id=export.pk)
    response = alice_client.post(PAGE, follow=True)
    assert b"2 downloads a day" in response.content
    assert DataExport.objects.filter(user=alice).count() == 2
    # failures do not count; a day later the limit is lifted
    DataExport.objects.filter(user=alice).update(created=timezone.now() - timedelta(days=1, minutes=1))
    assert _request(alice_client).status == DataExport.Status.READY


def test_expired_exports_lose_their_file(alice_client, alice, media_root):
    export = _request(alice_client)
    export.refresh_from_db()
    assert _exports_in_storage(media_root) == [export.file.split("/")[1]]
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    # past expires_at it is gone for the person at once, before the sweep runs
    assert alice_client.get(reverse("social:data_export_file", args=[export.pk])).status_code == 404
    result = data_exports_expire.enqueue()
    assert "1 export(s) expired" in result.return_value
    export.refresh_from_db()
    assert export.status == DataExport.Status.EXPIRED and export.file == ""
    assert _exports_in_storage(media_root) == []
    assert b"has expired" in alice_client.get(PAGE).content


def test_stuck_exports_are_failed_by_the_sweep(alice, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    export = services.data_export_request(user=alice, site_url="http://testserver")
    DataExport.objects.filter(pk=export.pk).update(created=timezone.now() - build.STALE_AFTER - timedelta(minutes=1))
    assert "1 stuck" in build.data_exports_expire()
    export.refresh_from_db()
    assert export.status == DataExport.Status.FAILED


def test_only_the_owner_downloads(client, alice_client, alice, bob):
    export = _request(alice_client)
    url = reverse("social:data_export_file", args=[export.pk])
    client.force_login(bob)
    assert client.get(url).status_code == 404
    assert client.post(reverse("social:data_export_delete", args=[export.pk])).status_code == 302
    export.refresh_from_db()
    assert export.status == DataExport.Status.READY  # bob's "delete" did nothing
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert client.get(PAGE).status_code == 302
    # htmx signed out: a client redirect to login, not a login page swapped in
    assert client.get(PAGE, HTTP_HX_REQUEST="true")["HX-Redirect"].startswith(reverse("account_login"))


def test_archives_are_never_served_by_the_media_view(alice_client, client, alice):
    export = _request(alice_client)
    export.refresh_from_db()
    assert client.get(f"/media/{export.file}").status_code == 404
    assert alice_client.get(f"/media/{export.file}").status_code == 404


def test_the_orphan_sweep_leaves_archives_alone(alice_client, alice, media_root):
    from django.core.management import call_command

    export = _request(alice_client)
    export.refresh_from_db()
    out = io.StringIO()
    call_command("sweep_media", "--delete", "--older-than", "0", stdout=out)
    assert export.file not in out.getvalue()
    assert _exports_in_storage(media_root)


def test_a_failed_build_is_marked_and_leaves_no_file(alice_client, alice, media_root, monkeypatch):
    def broken(user):
        raise RuntimeError("notifications unreadable")

    monkeypatch.setattr("social.exports.archive.notifications_part", broken)
    PostFactory(author=alice, images=1)
    alice_client.post(PAGE)  # the task runs on commit, fails (recorded on the task's result)
    export = DataExport.objects.get(user=alice)
    assert export.status == DataExport.Status.FAILED and "notifications unreadable" in export.error
    assert export.file == "" and _exports_in_storage(media_root) == []
    page = alice_client.get(PAGE)
    assert b"be prepared. Please request it again" in page.content and b"Request a download" in page.content
    assert mail.outbox == []


def test_an_export_deleted_while_built_leaves_no_file(alice, media_root, monkeypatch):
    """The account purge removes the row while the task writes: the stored ZIP is deleted again."""
    from social.exports import archive

    real = archive.write_archive

    def racing(out, **kwargs):
        summary = real(out, **kwargs)
        DataExport.objects.filter(user=alice).delete()
        return summary

    monkeypatch.setattr(build, "write_archive", racing)
    services.data_export_request(user=alice, site_url="http://testserver")  # the task runs on commit
    assert _exports_in_storage(media_root) == []
    assert not DataExport.objects.exists()


def test_a_missing_media_file_is_marked_not_fatal(alice_client, alice):
    post = PostFactory(author=alice, images=2)
    gone = PostMedia.objects.get(post=post, position=1)
    default_storage.delete(gone.file)
    export = _request(alice_client)
    export.refresh_from_db()
    assert export.status == DataExport.Status.READY
    archive = _download(alice_client, export)
    media = json.loads(archive.read("posts.json"))[0]["media"]
    assert "missing" not in media[0] and media[1]["missing"] is True
    assert media[1]["path"] not in archive.namelist()


def test_a_video_post_is_exported_as_its_stored_web_copy(alice_client, alice):
    from posts.services import post_create
    from posts.tests.factories import real_mp4, upload

    if not real_mp4():
        pytest.skip("ffmpeg is not installed")
    post = post_create(author=alice, caption="Waves", files=[(upload("clip.mp4", real_mp4(), "video/mp4"), "Waves rolling")])
    row = PostMedia.objects.get(post=post)
    assert row.status == "ready" and row.file.endswith(".mp4")
    archive = _download(alice_client, _request(alice_client))
    entry = json.loads(archive.read("posts.json"))[0]["media"][0]
    assert entry["kind"] == "video" and entry["alt_text"] == "Waves rolling"
    with default_storage.open(row.file, "rb") as fh:
        assert archive.read(entry["path"]) == fh.read()
    assert f'<video src="{entry["path"]}"' in archive.read("index.html").decode()


@pytest.mark.parametrize("state", ["none", "ready", "pending"])
def test_the_page_reads_in_constant_queries(alice_client, alice, state, settings, django_assert_num_queries):
    if state == "pending":
        settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    if state != "none":
        for _ in range(2):
            services.data_export_delete(user=alice, export_id=_request(alice_client).pk)
        _request(alice_client)
    # 1 session, 2 user, 3 the newest export, 4 today's requests (one aggregate); the nav's unread
    # badge is cached by the first visit, so it is read once before counting
    alice_client.get(PAGE)
    with django_assert_num_queries(4):
        response = alice_client.get(PAGE)
    assert response.status_code == 200


def test_settings_menu_links_the_page(alice_client):
    assert re.search(rb'href="/settings/download/"', alice_client.get(reverse("accounts:settings")).content)


def test_export_works_on_imagekit(fake_imagekit, alice, client, settings):
    """With ImageKit as the storage (the fake server): the media are read through the storage API,
    the archive is stored under exports/ there, downloaded from there, and deleted on expiry. The
    build runs as a worker runs it (outside any request, so not within a request's ImageKit time
    budget)."""
    post = PostFactory(author=alice, caption="On ImageKit", images=2, alt="cloud")
    client.force_login(alice)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    export = _request(client)
    build.data_export_build(export_id=export.pk, site_url="http://testserver")
    export.refresh_from_db()
    assert export.status == DataExport.Status.READY, export.error
    assert any(path.endswith(export.file) for path in fake_imagekit.paths())
    # the download: the owner gets a signed URL that expires, and ImageKit (the fake) sends the file
    response = client.get(reverse("social:data_export_file", args=[export.pk]))
    assert response.status_code == 302 and "ik-t=" in response["Location"] and "ik-s=" in response["Location"]
    assert response["Cache-Control"] == "private, no-store"
    fake_imagekit.restrict_unsigned = True
    fetched = httpx.get(response["Location"], timeout=10)
    assert fetched.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(fetched.content))
    posts = json.loads(archive.read("posts.json"))
    assert posts[0]["id"] == post.pk and len(posts[0]["media"]) == 2
    for entry, row in zip(posts[0]["media"], post.media.order_by("position"), strict=True):
        with default_storage.open(row.file, "rb") as fh:
            assert archive.read(entry["path"]) == fh.read()
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    build.data_exports_expire()
    assert not any(path.endswith(export.file) for path in fake_imagekit.paths())
    assert client.get(reverse("social:data_export_file", args=[export.pk])).status_code == 404


def test_the_expiry_runs_hourly_from_the_scheduler(settings):
    from django.utils.module_loading import import_string

    assert settings.TASKS_PERIODIC["social.tasks.data_exports_expire"] == 3600
    assert import_string("social.tasks.data_exports_expire") is data_exports_expire


def test_delete_and_download_refuse_the_wrong_method(alice_client):
    export = _request(alice_client)
    assert alice_client.get(reverse("social:data_export_delete", args=[export.pk])).status_code == 405
    assert alice_client.post(reverse("social:data_export_file", args=[export.pk])).status_code == 405
