"""Mastodon.py (unmodified) against the live server: upload a photo with alt text, post it, edit
it, favourite, bookmark, list both, read the context, reply, delete — what a client app does with
statuses and media."""

from __future__ import annotations

import pytest
from mastodon import Mastodon, MastodonAPIError, MastodonNotFoundError

from instaclone.testing import api_token, image_bytes
from posts.models import Comment, MediaDraft, Post, PostMedia

pytestmark = pytest.mark.django_db(transaction=True)


def client_for(live_server, user, scope="read write follow") -> Mastodon:
    return Mastodon(access_token=api_token(user, scope), api_base_url=live_server.url, version_check_mode="none")


def test_a_mastodon_client_posts_a_photo_engages_replies_and_deletes(live_server, alice, bob, tmp_path):
    api = client_for(live_server, alice)
    photo = tmp_path / "sunset.jpg"
    photo.write_bytes(image_bytes(size=(320, 240)))

    media = api.media_post(str(photo), description="alt", synchronous=True)  # url is set at once: no polling
    assert media["type"] == "image" and media["url"] and media["description"] == "alt"
    described = api.media_update(media, description="A red square")
    assert described["description"] == "A red square"
    assert api.media(media)["description"] == "A red square"

    status = api.status_post("hello #tag", media_ids=[media], idempotency_key="proof-1")
    post = Post.objects.get(pk=status["id"])
    assert post.caption == "hello #tag" and not MediaDraft.objects.exists()
    assert PostMedia.objects.get(post=post).alt_text == "A red square"
    assert [t["name"] for t in status["tags"]] == ["tag"]
    assert api.status_post("hello #tag", media_ids=[media], idempotency_key="proof-1")["id"] == status["id"]
    with pytest.raises(MastodonAPIError):
        api.status_post("no photo")  # a post needs media

    attached = status["media_attachments"][0]
    edited = api.status_update(
        status, "hello #tag, edited",
        media_attributes=[api.generate_media_edit_attributes(attached, description="A red square, edited")],
    )
    assert edited["media_attachments"][0]["description"] == "A red square, edited"
    assert api.status_source(status)["text"] == "hello #tag, edited"

    reader = client_for(live_server, bob)
    assert reader.status_favourite(status)["favourited"] is True
    assert reader.status_bookmark(status)["bookmarked"] is True
    assert [s["id"] for s in reader.favourites()] == [status["id"]]
    assert [s["id"] for s in reader.bookmarks()] == [status["id"]]
    assert [a["username"] for a in api.status_favourited_by(status)] == ["bob"]

    reply = reader.status_post("lovely @alice", in_reply_to_id=status)
    assert reply["in_reply_to_id"] == status["id"]
    assert Comment.objects.get().body == "lovely @alice"
    context = api.status_context(status)
    assert context["ancestors"] == [] and [d["id"] for d in context["descendants"]] == [reply["id"]]
    assert [a["id"] for a in reader.status_context(reply)["ancestors"]] == [status["id"]]

    assert reader.status_unfavourite(status)["favourited"] is False
    assert reader.status_unbookmark(status)["bookmarked"] is False
    assert reader.favourites() == [] and reader.bookmarks() == []

    deleted_reply = reader.status_delete(reply)
    assert deleted_reply["text"] == "lovely @alice" and not Comment.objects.exists()
    deleted = api.status_delete(status)
    assert deleted["text"] == "hello #tag, edited" and not Post.objects.exists()
    with pytest.raises(MastodonNotFoundError):
        api.status(status)


def test_a_mastodon_client_pages_favourites_by_link_headers(live_server, alice, bob):
    from posts.services import like_create
    from posts.tests.factories import PostRowsFactory

    posts = [PostRowsFactory(author=bob) for _ in range(5)]
    for post in posts:
        like_create(user=alice, post_id=post.pk)
    api = client_for(live_server, alice, "read")
    first = api.favourites(limit=2)
    seen = [s["id"] for s in first]
    page = first
    while (page := api.fetch_next(page)) is not None and page:
        seen += [s["id"] for s in page]
    assert [str(i) for i in seen] == [str(p.pk) for p in reversed(posts)]

