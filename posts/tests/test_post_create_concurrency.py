"""Two identical new-post submissions at the same moment on PostgreSQL: the unique constraint on
(author, idempotency key) lets one through; the other answers with that post and keeps no files.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/instaclone_posts .venv/bin/python -m pytest posts -m postgres
"""

import threading
import uuid

import pytest
from django.db import connection, connections

from instaclone.testing import make_user
from posts.models import Post, PostMedia
from posts.services import posts as services

from .factories import jpeg, post_files

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL and real concurrency"),
]


def test_two_simultaneous_submissions_of_one_form_create_one_post(media_root, monkeypatch):
    author = make_user("racer")
    key = uuid.uuid4()
    both_checked = threading.Barrier(2, timeout=30)
    seen = threading.local()
    real_lookup = services._post_for_key

    def lookup_then_wait(a, k):
        found = real_lookup(a, k)
        if not getattr(seen, "checked", False):  # both requests pass the "already posted?" check first
            seen.checked = True
            both_checked.wait()
        return found

    monkeypatch.setattr(services, "_post_for_key", lookup_then_wait)
    results, errors = [], []

    def submit():
        try:
            post = services.post_create(author=author, caption="Same form", files=[(jpeg(), "")], idempotency_key=key)
            results.append(post.pk)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    post = Post.objects.get()
    assert results == [post.pk, post.pk]
    media = PostMedia.objects.get()
    assert sorted(post_files(media_root)) == sorted({media.file, *media.renditions.values()})
    author.refresh_from_db()
    assert author.post_count == 1
