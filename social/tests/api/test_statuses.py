"""The client API's statuses: posting uploads as a post (all or nothing, through post_create),
replies as comments, reading a status, its context, and deleting."""

from __future__ import annotations

import uuid

import pytest
from django.core.files.storage import default_storage

from accounts.tests.factories import FollowFactory
from instaclone.testing import api_token, image_bytes, stored_files
from posts.models import Comment, MediaDraft, Post
from posts.tests.factories import CommentFactory, PostFactory, PostRowsFactory, upload
from social.api.serializers import comment_status_id

pytestmark = pytest.mark.django_db

STATUSES = "/api/v1/statuses"


def auth(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def token(alice):
    return api_token(alice)


def draft(client, token, *, description="", size=(120, 90), color=(200, 30, 60)) -> str:
    files = {"file": upload("p.jpg", image_bytes(size=size, color=color), "image/jpeg")}
    response = client.post("/api/v2/media", {**files, "description": description}, **auth(token))
    assert response.status_code == 200, response.content
    return response.json()["id"]


def post_status(client, token, data: dict, **headers):
    return client.post(STATUSES, data, content_type="application/json", **auth(token), **headers)


# --- creating a post -----------------------------------------------------------------------------


def test_it_posts_uploads_in_the_given_order_with_their_alt_texts(client, token, alice, bob, media_root):
    first = draft(client, token, description="a wide one", size=(200, 100))
    second = draft(client, token, description="a square", size=(90, 90))
    response = post_status(client, token, {"status": "hello #Sun @bob", "media_ids": [second, first],
                                           "visibility": "direct", "sensitive": True, "spoiler_text": "cw"})
    assert response.status_code == 200, response.content
    data = response.json()
    post = Post.objects.get(pk=int(data["id"]))
    assert post.author == alice and post.caption == "hello #Sun @bob"
    media = list(post.media.order_by("position"))
    assert [(m.alt_text, m.width, m.height) for m in media] == [("a square", 90, 90), ("a wide one", 200, 100)]
    assert [a["description"] for a in data["media_attachments"]] == ["a square", "a wide one"]
    assert [t["name"] for t in data["tags"]] == ["sun"]
    assert [m["username"] for m in data["mentions"]] == ["bob"]
    assert data["visibility"] == "public"  # the account's privacy decides, not the request
    assert data["spoiler_text"] == "" and data["sensitive"] is False
    # the drafts and their files are gone; the post's files (and renditions) are all that is stored
    assert not MediaDraft.objects.exists()
    files = stored_files(media_root)
    assert not [f for f in files if f.startswith("posts/drafts/")]
    assert {m.file for m in media} <= set(files)
    alice.refresh_from_db()
    assert alice.post_count == 1


def test_a_private_accounts_post_is_private(client, token, alice):
    alice.is_private = True
    alice.save(update_fields=["is_private"])
    data = post_status(client, token, {"status": "", "media_ids": [draft(client, token)]}).json()
    assert data["visibility"] == "private"
    assert data["content"] == ""


def test_form_encoded_media_ids_work(client, token):
    ids = [draft(client, token), draft(client, token)]
    response = client.post(STATUSES, {"status": "form", "media_ids[]": ids}, **auth(token))
    assert response.status_code == 200, response.content
    assert len(response.json()["media_attachments"]) == 2


def test_a_post_needs_media(client, token):
    response = post_status(client, token, {"status": "just words"})
    assert response.status_code == 422
    assert response.json() == {"error": "A post needs at least one photo or video."}
    assert not Post.objects.exists()


def test_too_many_media_are_refused(client, token, settings):
    settings.POST_MAX_MEDIA = 2
    ids = [draft(client, token) for _ in range(3)]
    response = post_status(client, token, {"status": "", "media_ids": ids})
    assert response.status_code == 422 and "at most 2" in response.json()["error"]
    assert MediaDraft.objects.count() == 3 and not Post.objects.exists()


def test_someone_elses_or_an_unknown_upload_is_not_found_and_nothing_changes(client, token, bob, media_root):
    mine = draft(client, token)
    bobs = draft(client, api_token(bob))
    for ids in ([mine, bobs], [mine, "999999"], [mine, "x1"]):
        response = post_status(client, token, {"status": "", "media_ids": ids})
        assert response.status_code == 422
        assert response.json()["error"].startswith("Media not found")
    assert MediaDraft.objects.count() == 2 and not Post.objects.exists()
    assert len(stored_files(media_root)) == 2


def test_a_draft_whose_file_went_missing_leaves_no_post_and_no_file(client, token, media_root):
    kept, lost = draft(client, token, description="kept"), draft(client, token)
    default_storage.delete(MediaDraft.objects.get(pk=lost).file)
    before = stored_files(media_root)
    response = post_status(client, token, {"status": "", "media_ids": [kept, lost]})
    assert response.status_code == 422
    assert "no longer available" in response.json()["error"]
    assert not Post.objects.exists()
    assert MediaDraft.objects.count() == 2  # nothing claimed: the person may try again
    assert stored_files(media_root) == before


def test_a_pipeline_refusal_at_posting_leaves_no_post_and_no_file(client, token, media_root):
    good, bad = draft(client, token), draft(client, token)
    name = MediaDraft.objects.get(pk=bad).file
    with open(media_root / name, "wb") as f:  # the stored file is damaged between upload and post
        f.write(b"\xff\xd8\xff\xe0 not really a jpeg any more")
    before = stored_files(media_root)
    response = post_status(client, token, {"status": "", "media_ids": [good, bad]})
    assert response.status_code == 422, response.content
    assert response.json()["error"] == "This image is damaged or incomplete."
    assert not Post.objects.exists() and MediaDraft.objects.count() == 2
    assert stored_files(media_root) == before


def test_the_post_rate_applies_as_on_the_web(client, token, settings):
    settings.POST_CREATE_RATE = "1/h"
    assert post_status(client, token, {"status": "", "media_ids": [draft(client, token)]}).status_code == 200
    waiting = draft(client, token)
    response = post_status(client, token, {"status": "", "media_ids": [waiting]})
    assert response.status_code == 429 and "too quickly" in response.json()["error"]
    assert MediaDraft.objects.filter(pk=waiting).exists()


def test_the_same_idempotency_key_makes_one_post(client, token, media_root):
    media = draft(client, token)
    key = {"HTTP_IDEMPOTENCY_KEY": "my-client-key-1"}
    first = post_status(client, token, {"status": "once", "media_ids": [media]}, **key)
    again = post_status(client, token, {"status": "once", "media_ids": [media]}, **key)
    assert first.status_code == again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert Post.objects.count() == 1
    other = post_status(client, token, {"status": "", "media_ids": [draft(client, token)]},
                        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    assert other.json()["id"] != first.json()["id"]


# --- replies are comments ------------------------------------------------------------------------


def test_a_reply_is_a_comment_on_the_post(client, token, alice, bob):
    post = PostRowsFactory(author=bob)
    response = post_status(client, token, {"status": "nice one @bob", "in_reply_to_id": str(post.pk)})
    assert response.status_code == 200, response.content
    data = response.json()
    comment = Comment.objects.get()
    assert (comment.post_id, comment.author, comment.body) == (post.pk, alice, "nice one @bob")
    assert data["id"] == comment_status_id(comment.pk)
    assert data["in_reply_to_id"] == str(post.pk) and data["in_reply_to_account_id"] == str(bob.pk)
    assert 'href="/bob/">@bob</a>' in data["content"]


def test_a_reply_to_a_comment_is_a_comment_on_its_post(client, token, bob, charlie):
    post = PostRowsFactory(author=bob)
    earlier = CommentFactory(author=charlie, post=post)
    response = post_status(client, token, {"status": "agreed", "in_reply_to_id": comment_status_id(earlier.pk)})
    assert response.status_code == 200
    assert response.json()["in_reply_to_id"] == str(post.pk)
    assert Comment.objects.filter(post=post).count() == 2


def test_a_reply_cannot_have_media_or_be_empty_or_reach_an_invisible_post(client, token, bob):
    post = PostRowsFactory(author=bob)
    with_media = post_status(client, token, {"status": "x", "in_reply_to_id": str(post.pk),
                                             "media_ids": [draft(client, token)]})
    assert with_media.status_code == 422
    empty = post_status(client, token, {"status": "  ", "in_reply_to_id": str(post.pk)})
    assert empty.status_code == 422
    hidden = PostRowsFactory(author=bob, hidden=True)
    assert post_status(client, token, {"status": "x", "in_reply_to_id": str(hidden.pk)}).status_code == 404
    assert post_status(client, token, {"status": "x", "in_reply_to_id": "nope"}).status_code == 404
    assert not Comment.objects.exists()


# --- reading -------------------------------------------------------------------------------------


def test_get_a_post_anonymously_and_with_a_token(client, token, alice, bob):
    post = PostFactory(author=bob, caption="hi #there", alt="a tree")
    anonymous = client.get(f"{STATUSES}/{post.pk}")
    assert anonymous.status_code == 200
    data = anonymous.json()
    assert data["id"] == str(post.pk) and data["account"]["username"] == "bob"
    assert data["media_attachments"][0]["description"] == "a tree"
    assert data["favourited"] is False
    client.post(f"{STATUSES}/{post.pk}/favourite", **auth(token))
    mine = client.get(f"{STATUSES}/{post.pk}", **auth(token)).json()
    assert mine["favourited"] is True and mine["favourites_count"] == 1


def test_get_a_comment(client, token, bob, charlie):
    post = PostRowsFactory(author=bob)
    comment = CommentFactory(author=charlie, post=post, body="hello @bob")
    response = client.get(f"{STATUSES}/{comment_status_id(comment.pk)}", **auth(token))
    assert response.status_code == 200
    data = response.json()
    assert data["account"]["username"] == "charlie" and data["in_reply_to_id"] == str(post.pk)
    assert 'href="/bob/">@bob</a>' in data["content"]


def test_unknown_ids_are_404(client, token):
    for bad in ("0", "999999", "abc", "1" * 19, comment_status_id(12345)):
        response = client.get(f"{STATUSES}/{bad}", **auth(token))
        assert response.status_code == 404, bad
        assert response.json() == {"error": "Record not found"}


def test_context_of_a_post_lists_its_visible_comments_oldest_first(client, token, alice, bob, charlie):
    post = PostRowsFactory(author=bob)
    comments = [CommentFactory(author=author, post=post, body=f"c{i}") for i, author in enumerate([charlie, alice, bob])]
    Comment.objects.filter(pk=comments[1].pk).update(is_hidden=True)
    data = client.get(f"{STATUSES}/{post.pk}/context", **auth(token)).json()
    assert data["ancestors"] == []
    assert [d["id"] for d in data["descendants"]] == [comment_status_id(c.pk) for c in (comments[0], comments[2])]
    assert [d["content"] for d in data["descendants"]] == ["<p>c0</p>", "<p>c2</p>"]


def test_context_of_a_comment_has_its_post_as_ancestor(client, token, bob):
    post = PostRowsFactory(author=bob)
    comment = CommentFactory(author=bob, post=post)
    data = client.get(f"{STATUSES}/{comment_status_id(comment.pk)}/context", **auth(token)).json()
    assert [a["id"] for a in data["ancestors"]] == [str(post.pk)]
    assert data["descendants"] == []


def test_context_is_capped(client, token, bob, monkeypatch):
    from social.api import statuses

    monkeypatch.setattr(statuses, "CONTEXT_MAX", 2)
    post = PostRowsFactory(author=bob)
    for i in range(3):
        CommentFactory(author=bob, post=post, body=f"c{i}")
    data = client.get(f"{STATUSES}/{post.pk}/context", **auth(token)).json()
    assert [d["content"] for d in data["descendants"]] == ["<p>c0</p>", "<p>c1</p>"]


# --- deleting ------------------------------------------------------------------------------------


def test_deleting_ones_own_post_returns_it_with_its_source_text(client, token, alice, media_root):
    created = post_status(client, token, {"status": "bye #now", "media_ids": [draft(client, token)]}).json()
    response = client.delete(f"{STATUSES}/{created['id']}", **auth(token))
    assert response.status_code == 200
    data = response.json()
    assert data["id"] == created["id"] and data["text"] == "bye #now"
    assert len(data["media_attachments"]) == 1
    assert not Post.objects.exists()
    assert [f for f in stored_files(media_root) if f.startswith("posts/")] == []  # files go on commit
    alice.refresh_from_db()
    assert alice.post_count == 0
    assert client.delete(f"{STATUSES}/{created['id']}", **auth(token)).status_code == 404


def test_someone_elses_post_cannot_be_deleted(client, token, bob):
    post = PostRowsFactory(author=bob)
    assert client.delete(f"{STATUSES}/{post.pk}", **auth(token)).status_code == 404
    assert Post.objects.filter(pk=post.pk).exists()


def test_comments_are_deleted_by_their_author_or_the_posts_author_only(client, token, alice, bob, charlie):
    theirs = PostRowsFactory(author=bob)
    own_comment = CommentFactory(author=alice, post=theirs, body="mine")
    others_comment = CommentFactory(author=charlie, post=theirs)
    mine = PostRowsFactory(author=alice)
    on_my_post = CommentFactory(author=charlie, post=mine)

    response = client.delete(f"{STATUSES}/{comment_status_id(own_comment.pk)}", **auth(token))
    assert response.status_code == 200 and response.json()["text"] == "mine"
    assert client.delete(f"{STATUSES}/{comment_status_id(on_my_post.pk)}", **auth(token)).status_code == 200
    refused = client.delete(f"{STATUSES}/{comment_status_id(others_comment.pk)}", **auth(token))
    assert refused.status_code == 403
    assert list(Comment.objects.values_list("pk", flat=True)) == [others_comment.pk]
    theirs.refresh_from_db()
    assert theirs.comment_count == 1


def test_a_private_accounts_post_is_read_by_followers(client, token, alice, bob):
    bob.is_private = True
    bob.save(update_fields=["is_private"])
    post = PostRowsFactory(author=bob)
    assert client.get(f"{STATUSES}/{post.pk}", **auth(token)).status_code == 404
    FollowFactory(follower=alice, followee=bob)
    response = client.get(f"{STATUSES}/{post.pk}", **auth(token))
    assert response.status_code == 200 and response.json()["visibility"] == "private"


def test_a_failure_after_the_post_is_written_rolls_it_back_and_deletes_its_files(client, token, alice, media_root,
                                                                                 monkeypatch):
    """The drafts' deletion and the post are one transaction: when it fails after post_create has
    stored the post's files (here: registering the drafts' file deletion), no post, no new file."""
    from posts.services import media_drafts, post_create_from_drafts

    ids = [int(draft(client, token)), int(draft(client, token))]
    before = stored_files(media_root)

    def broken(*names):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(media_drafts, "delete_on_commit", broken)
    with pytest.raises(RuntimeError):
        post_create_from_drafts(author=alice, caption="", draft_ids=ids)
    assert not Post.objects.exists() and MediaDraft.objects.count() == 2
    assert stored_files(media_root) == before
    alice.refresh_from_db()
    assert alice.post_count == 0


# --- editing -------------------------------------------------------------------------------------


def test_editing_ones_own_post_changes_its_caption_and_alt_texts(client, token, alice, bob):
    ids = [draft(client, token, description="one"), draft(client, token, description="two")]
    created = post_status(client, token, {"status": "before #old", "media_ids": ids}).json()
    media = [a["id"] for a in created["media_attachments"]]
    response = client.put(
        f"{STATUSES}/{created['id']}",
        {"status": "after #new @bob", "media_ids": list(reversed(media)),
         "media_attributes": [{"id": media[1], "description": "second, described"}]},
        content_type="application/json", **auth(token),
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert [t["name"] for t in data["tags"]] == ["new"] and [m["username"] for m in data["mentions"]] == ["bob"]
    assert [a["description"] for a in data["media_attachments"]] == ["one", "second, described"]
    post = Post.objects.get()
    assert post.caption == "after #new @bob"
    source = client.get(f"{STATUSES}/{post.pk}/source", **auth(token)).json()
    assert source == {"id": str(post.pk), "text": "after #new @bob", "spoiler_text": ""}

    form = client.put(f"{STATUSES}/{post.pk}", f"media_attributes[][id]={media[0]}&media_attributes[][description]=first",
                      content_type="application/x-www-form-urlencoded", **auth(token))
    assert form.status_code == 200
    assert [a["description"] for a in form.json()["media_attachments"]] == ["first", "second, described"]
    assert Post.objects.get().caption == "after #new @bob"  # no `status`: the caption stays


def test_edits_that_are_not_allowed(client, token, alice, bob):
    created = post_status(client, token, {"status": "mine", "media_ids": [draft(client, token)]}).json()
    own_media = created["media_attachments"][0]["id"]

    def put(status_id, body):
        return client.put(f"{STATUSES}/{status_id}", body, content_type="application/json", **auth(token))

    other_upload = draft(client, token)
    assert put(created["id"], {"status": "x", "media_ids": [own_media, other_upload]}).status_code == 422
    assert put(created["id"], {"status": "x", "media_ids": []}).status_code == 422
    assert put(created["id"], {"media_attributes": [{"id": "999999", "description": "x"}]}).status_code == 422
    assert put(created["id"], {"media_attributes": "nope"}).status_code == 422
    assert put(created["id"], {"status": "x" * 2201}).status_code == 422
    assert put(created["id"], {"media_attributes": [{"id": own_media, "description": "d" * 1001}]}).status_code == 422
    theirs = PostRowsFactory(author=bob)
    assert put(theirs.pk, {"status": "hijacked"}).status_code == 404
    comment = CommentFactory(author=alice, post=theirs)
    refused = put(comment_status_id(comment.pk), {"status": "edited"})
    assert refused.status_code == 422 and refused.json() == {"error": "Comments can't be edited."}
    assert Post.objects.get(pk=created["id"]).caption == "mine"
    theirs.refresh_from_db()
    assert theirs.caption == ""


def test_source_of_a_comment_and_of_an_invisible_post(client, token, bob):
    post = PostRowsFactory(author=bob, caption="bob's")
    comment = CommentFactory(author=bob, post=post, body="hello")
    cid = comment_status_id(comment.pk)
    assert client.get(f"{STATUSES}/{cid}/source", **auth(token)).json() == {"id": cid, "text": "hello", "spoiler_text": ""}
    hidden = PostRowsFactory(author=bob, hidden=True)
    assert client.get(f"{STATUSES}/{hidden.pk}/source", **auth(token)).status_code == 404
