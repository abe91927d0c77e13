"""Settings → Import from Instagram (/settings/import/): the upload form, progress (htmx partial),
cancel, and every refusal a person can provoke."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from posts.models import ImportJob, Post

from .import_archives import instagram_zip, jpeg_bytes

pytestmark = pytest.mark.django_db

PAGE = "/settings/import/"


def zip_upload(path) -> SimpleUploadedFile:
    return SimpleUploadedFile("instagram.zip", Path(path).read_bytes(), "application/zip")


@pytest.fixture
def dummy_tasks(settings):
    """Jobs are queued but nothing runs (a job stays pending, as while the worker is busy)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def test_it_resolves_before_accounts_settings():
    assert reverse("imports:page") == PAGE


def test_it_needs_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_shows_the_form_and_the_settings_menu_links_here(alice_client):
    html = alice_client.get(PAGE).content.decode()
    assert "Import from Instagram" in html and 'name="archive"' in html
    assert f'href="{PAGE}"' in alice_client.get(reverse("accounts:settings")).content.decode()


def test_uploading_imports_and_shows_the_result(alice_client, alice, tmp_path):
    response = alice_client.post(PAGE, {"archive": zip_upload(instagram_zip(tmp_path / "ig.zip"))})
    assert response.status_code == 302 and response["Location"] == PAGE

    html = alice_client.get(PAGE).content.decode()
    assert "Finished" in html and 'id="import-done">2<' in html
    assert "gone.jpg is missing from the ZIP." in html
    assert "This file isn&#x27;t a photo we can read" in html
    assert 'hx-trigger="every 2s"' not in html  # finished: no polling
    assert Post.objects.filter(author=alice).count() == 2


def test_a_running_job_polls_its_progress_and_offers_cancel(alice_client, alice, tmp_path, dummy_tasks):
    alice_client.post(PAGE, {"archive": zip_upload(instagram_zip(tmp_path / "ig.zip"))})
    job = ImportJob.objects.get(owner=alice)

    html = alice_client.get(PAGE).content.decode()
    assert 'hx-trigger="every 2s"' in html and reverse("imports:progress", args=[job.pk]) in html
    # the posts are read by the task, which sets the total: until then the page says so
    assert "Cancel import" in html and "Reading your archive…" in html
    ImportJob.objects.filter(pk=job.pk).update(total=4)
    assert "Waiting to start: post 0 of 4." in alice_client.get(PAGE).content.decode()
    assert 'name="archive"' not in html  # one import at a time

    partial = alice_client.get(reverse("imports:progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    body = partial.content.decode()
    assert body.lstrip().startswith('<div id="import-progress"') and "<html" not in body

    plain = alice_client.get(reverse("imports:progress", args=[job.pk]))
    assert plain.status_code == 302 and plain["Location"] == PAGE


def test_cancel(alice_client, alice, tmp_path, dummy_tasks):
    alice_client.post(PAGE, {"archive": zip_upload(instagram_zip(tmp_path / "ig.zip"))})
    job = ImportJob.objects.get(owner=alice)

    response = alice_client.post(reverse("imports:cancel", args=[job.pk]))

    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "cancelled" and job.cancel_requested
    assert "Cancelled" in alice_client.get(PAGE).content.decode()


def test_cancel_needs_post(alice_client, alice, tmp_path, dummy_tasks):
    alice_client.post(PAGE, {"archive": zip_upload(instagram_zip(tmp_path / "ig.zip"))})
    job = ImportJob.objects.get(owner=alice)
    assert alice_client.get(reverse("imports:cancel", args=[job.pk])).status_code == 405


def test_someone_elses_job_is_404(client, alice, bob, tmp_path, dummy_tasks):
    client.force_login(alice)
    client.post(PAGE, {"archive": zip_upload(instagram_zip(tmp_path / "ig.zip"))})
    job = ImportJob.objects.get(owner=alice)
    client.force_login(bob)

    assert client.get(reverse("imports:progress", args=[job.pk]), HTTP_HX_REQUEST="true").status_code == 404
    assert client.post(reverse("imports:cancel", args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert not job.cancel_requested


def test_a_second_upload_while_one_runs_is_refused(alice_client, alice, tmp_path, dummy_tasks):
    path = instagram_zip(tmp_path / "ig.zip")
    alice_client.post(PAGE, {"archive": zip_upload(path)})
    response = alice_client.post(PAGE, {"archive": zip_upload(path)})

    assert response.status_code == 400
    assert "An import is already running" in response.content.decode()
    assert ImportJob.objects.filter(owner=alice).count() == 1


def test_a_file_that_is_not_a_zip_gets_a_clear_message(alice_client):
    response = alice_client.post(PAGE, {"archive": SimpleUploadedFile("photo.zip", jpeg_bytes())})
    assert response.status_code == 400
    assert "This file isn&#x27;t a ZIP archive" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_an_unsafe_archive_gets_a_clear_message(alice_client, tmp_path):
    from .import_archives import write_zip

    path = write_zip(tmp_path / "evil.zip", {"content/posts_1.json": "[]", "../../evil.sh": "rm -rf /"})
    response = alice_client.post(PAGE, {"archive": zip_upload(path)})
    assert response.status_code == 400 and "unsafe name" in response.content.decode()


def test_no_file_chosen(alice_client):
    response = alice_client.post(PAGE, {})
    assert response.status_code == 400 and "This field is required" in response.content.decode()


def test_an_upload_over_the_limit_is_refused_before_its_body_is_read(alice_client, settings, tmp_path):
    settings.IMPORT_MAX_ZIP_BYTES = 1000
    response = alice_client.post(PAGE, {"archive": zip_upload(instagram_zip(tmp_path / "ig.zip"))}, CONTENT_LENGTH=200_000)
    assert response.status_code == 413
    assert "This archive is too large" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_signed_out_poll_is_sent_to_sign_in_by_htmx(client, alice, tmp_path, dummy_tasks):
    client.force_login(alice)
    client.post(PAGE, {"archive": zip_upload(instagram_zip(tmp_path / "ig.zip"))})
    job = ImportJob.objects.get(owner=alice)
    client.logout()

    response = client.get(reverse("imports:progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "/accounts/login/" in response["HX-Redirect"]


def test_staff_see_imports_in_the_admin_read_only(client, alice, tmp_path):
    from accounts.tests.factories import UserFactory

    run = client.force_login(alice) or client.post(PAGE, {"archive": zip_upload(instagram_zip(tmp_path / "ig.zip"))})
    assert run.status_code == 302
    job = ImportJob.objects.get(owner=alice)
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert "alice" in client.get("/admin/posts/importjob/").content.decode()
    assert client.get(f"/admin/posts/importjob/{job.pk}/change/").status_code == 200
    assert client.get("/admin/posts/importjob/add/").status_code == 403


def test_the_progress_poll_is_three_queries(alice_client, alice, tmp_path, dummy_tasks, django_assert_num_queries):
    alice_client.post(PAGE, {"archive": zip_upload(instagram_zip(tmp_path / "ig.zip"))})
    url = reverse("imports:progress", args=[ImportJob.objects.get(owner=alice).pk])
    alice_client.get(url, HTTP_HX_REQUEST="true")
    # 1 session, 2 the signed-in user, 3 the job (its owner's only)
    with django_assert_num_queries(3):
        assert alice_client.get(url, HTTP_HX_REQUEST="true").status_code == 200
