"""Post pages: new, detail, edit, delete. Bad input gets a message or a 4xx, never a 500."""

import pytest
from django.urls import reverse

from accounts.tests.factories import BlockFactory
from instaclone.testing import make_user
from posts.models import Post

from .factories import PostFactory, jpeg, png_header_claiming, post_files, upload

NEW = "/p/new/"


def _files(*uploads):
    return {"media": list(uploads)}


def test_new_post_page_needs_login(client):
    response = client.get(NEW)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_anonymous_htmx_post_gets_hx_redirect_to_login(client, db):
    response = client.post(NEW, {}, HTTP_HX_REQUEST="true")
    assert "/accounts/login/" in response["HX-Redirect"]
    assert Post.objects.count() == 0


def test_new_post_form_has_file_input_alt_texts_and_caption(alice_client):
    html = alice_client.get(NEW).content.decode()
    assert 'type="file"' in html and 'name="media"' in html and "multiple" in html
    assert 'name="alt_text_0"' in html and 'name="alt_text_9"' in html and 'name="alt_text_10"' not in html
    assert 'enctype="multipart/form-data"' in html


def test_create_post_redirects_to_it_with_alt_texts(alice_client, alice):
    response = alice_client.post(
        NEW, {"caption": "Two #cats", "alt_text_0": "A grey cat", "alt_text_1": "A black cat", **_files(jpeg("a.jpg"), jpeg("b.jpg"))}
    )
    post = Post.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/p/{post.pk}/"
    assert [m.alt_text for m in post.media.all()] == ["A grey cat", "A black cat"]
    assert post.author == alice


def test_create_post_over_htmx_answers_hx_redirect(alice_client):
    response = alice_client.post(NEW, {"caption": "", **_files(jpeg())}, HTTP_HX_REQUEST="true")
    post = Post.objects.get()
    assert response["HX-Redirect"] == f"/p/{post.pk}/"


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([], "Add at least one photo or video."),
        ([jpeg(f"{i}.jpg") for i in range(11)], "at most 10"),
        ([upload("page.jpg", b"<html><script>alert(1)</script></html>")], "isn&#x27;t a photo"),
        ([upload("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>')], "isn&#x27;t a photo"),
        ([upload("empty.jpg", b"")], "empty"),
        ([upload("bomb.png", png_header_claiming(20_000, 20_000))], "too big"),
        ([upload("doc.pdf", b"%PDF-1.4 ...")], "isn&#x27;t a photo"),
    ],
    ids=["0-files", "11-files", "renamed-html", "svg", "0-byte", "20000x20000", "wrong-type"],
)
def test_bad_uploads_show_a_message_and_save_nothing(alice_client, media_root, files, message):
    response = alice_client.post(NEW, {"caption": "x", **_files(*files)})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Post.objects.count() == 0
    assert post_files(media_root) == []


def test_bad_file_error_names_the_file_next_to_its_position(alice_client, media_root):
    response = alice_client.post(NEW, {"caption": "x", **_files(jpeg("ok.jpg"), upload("notes.jpg", b"text"))})
    html = response.content.decode()
    assert 'data-file-index="1"' in html and "File 2 (notes.jpg):" in html
    assert Post.objects.count() == 0 and post_files(media_root) == []


def test_bad_file_over_htmx_swaps_only_the_error_region(alice_client, media_root):
    response = alice_client.post(NEW, {"caption": "x", **_files(upload("notes.jpg", b"text"))}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="upload-errors"') and "<html" not in html
    assert "File 1 (notes.jpg)" in html


def test_post_with_files_only_and_no_other_fields_works(alice_client):
    response = alice_client.post(NEW, _files(jpeg()))
    assert response.status_code == 302 and Post.objects.count() == 1


def test_empty_post_body_says_add_a_file(alice_client):
    response = alice_client.post(NEW, {})
    assert response.status_code == 400 and "Add at least one photo or video." in response.content.decode()


def test_caption_over_the_limit_shows_message(alice_client, media_root):
    response = alice_client.post(NEW, {"caption": "x" * 2201, **_files(jpeg())})
    assert response.status_code == 400
    assert "at most 2200 characters" in response.content.decode()
    assert Post.objects.count() == 0 and post_files(media_root) == []


def test_file_over_the_cap_shows_message(alice_client, media_root, settings):
    settings.IMAGE_MAX_BYTES = 200
    response = alice_client.post(NEW, {"caption": "", **_files(jpeg(size=(200, 200)))})
    assert response.status_code == 400 and "too large" in response.content.decode()
    assert Post.objects.count() == 0 and post_files(media_root) == []


def test_storage_outage_shows_message_and_saves_nothing(alice_client, media_root, monkeypatch):
    from django.core.files.storage import FileSystemStorage

    real_save = FileSystemStorage.save

    def down(self, name, content, max_length=None):
        if name.startswith("posts/"):
            raise OSError("storage down")
        return real_save(self, name, content, max_length=max_length)

    monkeypatch.setattr(FileSystemStorage, "save", down)
    response = alice_client.post(NEW, {"caption": "", **_files(jpeg())})
    assert response.status_code == 400
    assert "couldn&#x27;t store your upload" in response.content.decode()
    assert Post.objects.count() == 0


# --- detail ------------------------------------------------------------------------------------


def test_detail_shows_carousel_alt_texts_caption_links_and_renditions(client, alice, bob):
    # bob exists (an @mention of no one is plain text: posts/tests/test_link_previews.py)
    post = PostFactory(author=alice, caption="Sunny #day with @bob <b>bold</b>", images=2, alt="")
    html = client.get(f"/p/{post.pk}/").content.decode()
    media = list(post.media.all())
    assert 'alt="photo 1"' in html and 'alt="photo 2"' in html
    assert "data-carousel-next" in html and html.count("data-carousel-dot=") == 2
    assert 'href="/explore/tags/day/">#day</a>' in html and 'href="/bob/">@bob</a>' in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    for m in media:
        assert f"/media/{m.file}" not in html  # never the original
        assert f"/media/{m.renditions['1080']}" in html
    assert 'srcset="' in html and 'width="64" height="48"' in html


def test_carousel_markup_is_written_once_for_the_card_and_the_post_page(client, alice):
    from pathlib import Path

    templates = Path(__file__).resolve().parents[1] / "templates"
    written = [p.name for p in templates.rglob("*.html") if 'class="carousel__track"' in p.read_text()]
    assert written == ["_card.html"]  # the post page includes posts/_card.html#carousel
    post = PostFactory(author=alice, images=2)
    html = client.get(f"/p/{post.pk}/").content.decode()
    assert 'role="region" aria-roledescription="carousel"' in html and html.count('class="carousel__slide"') == 2


@pytest.mark.parametrize("n", [1, 10])
def test_detail_query_count_same_for_1_and_10_media(client, alice, bob, n, django_assert_num_queries):
    post = PostFactory(author=alice, images=n)
    client.force_login(bob)
    client.get(f"/p/{post.pk}/")  # warm the default avatar and the nav's unread badge
    # 1 session, 2 user, 3 post + author with the viewer's liked and saved flags (two EXISTS),
    # 4 media prefetch, 5 the photos' tags with their people (selectors.with_photo_tags),
    # 6 comments page with authors joined (selectors.detail_context)
    with django_assert_num_queries(6):
        html = client.get(f"/p/{post.pk}/").content.decode()
    assert html.count("carousel__slide") == n


def test_hidden_post_is_404_for_others_and_shown_with_notice_to_author(client, alice, bob):
    post = PostFactory(author=alice)
    Post.objects.filter(pk=post.pk).update(is_hidden=True)
    client.force_login(bob)
    assert client.get(f"/p/{post.pk}/").status_code == 404
    client.force_login(alice)
    response = client.get(f"/p/{post.pk}/")
    assert response.status_code == 200 and "hidden by moderators" in response.content.decode()


def test_private_authors_post_is_404_for_non_followers(client, alice, bob):
    alice.is_private = True
    alice.save()
    post = PostFactory(author=alice)
    assert client.get(f"/p/{post.pk}/").status_code == 404
    client.force_login(bob)
    assert client.get(f"/p/{post.pk}/").status_code == 404


def test_blocked_viewer_gets_404(client, alice, bob):
    post = PostFactory(author=alice)
    BlockFactory(blocker=alice, blocked=bob)
    client.force_login(bob)
    assert client.get(f"/p/{post.pk}/").status_code == 404


def test_staff_sees_hidden_post(client, alice):
    post = PostFactory(author=alice)
    Post.objects.filter(pk=post.pk).update(is_hidden=True)
    client.force_login(make_user("mod", is_staff=True))
    assert client.get(f"/p/{post.pk}/").status_code == 200


# --- edit and delete ------------------------------------------------------------------------------


def test_author_edits_caption_and_alt_texts(alice_client, alice):
    post = PostFactory(author=alice, caption="old", images=2)
    media = list(post.media.all())
    response = alice_client.post(
        f"/p/{post.pk}/edit/", {"caption": "new #tag", f"alt_{media[0].pk}": "first", f"alt_{media[1].pk}": "second"}
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.caption == "new #tag"
    assert [m.alt_text for m in post.media.all()] == ["first", "second"]


def test_edit_caption_over_the_limit_is_400_and_changes_nothing(alice_client, alice):
    post = PostFactory(author=alice, caption="keep")
    response = alice_client.post(f"/p/{post.pk}/edit/", {"caption": "x" * 2201})
    assert response.status_code == 400
    post.refresh_from_db()
    assert post.caption == "keep"


def test_a_refused_edit_puts_the_services_errors_on_the_form_with_add_to_form(alice_client, alice, monkeypatch):
    """A caption error lands on the caption field; an upload refusal (a DomainError) above the form."""
    from django.core.exceptions import ValidationError

    from instaclone.media.images import UploadRejected
    from posts import services

    post = PostFactory(author=alice, caption="keep")
    for error, expected in [
        (ValidationError({"caption": "Too many hashtags."}), {"caption": ["Too many hashtags."]}),
        (UploadRejected("Alt text is too long.", code="alt_too_long"), {"__all__": ["Alt text is too long."]}),
    ]:

        def refuse(error=error, **kwargs):
            raise error

        monkeypatch.setattr(services, "post_update", refuse)
        response = alice_client.post(f"/p/{post.pk}/edit/", {"caption": "new"})
        assert response.status_code == 400
        assert response.context["form"].errors == expected


@pytest.mark.parametrize("url", ["/p/{pk}/edit/", "/p/{pk}/delete/confirm/"])
def test_someone_elses_post_edit_pages_are_404(client, alice, bob, url):
    post = PostFactory(author=alice)
    client.force_login(bob)
    assert client.get(url.format(pk=post.pk)).status_code == 404


def test_editing_someone_elses_post_is_404_and_changes_nothing(client, alice, bob):
    post = PostFactory(author=alice, caption="mine")
    client.force_login(bob)
    assert client.post(f"/p/{post.pk}/edit/", {"caption": "pwned"}).status_code == 404
    post.refresh_from_db()
    assert post.caption == "mine"


def test_deleting_someone_elses_post_is_404(client, alice, bob):
    post = PostFactory(author=alice)
    client.force_login(bob)
    assert client.post(f"/p/{post.pk}/delete/").status_code == 404
    assert Post.objects.filter(pk=post.pk).exists()


def test_get_on_delete_is_405(alice_client, alice):
    post = PostFactory(author=alice)
    assert alice_client.get(f"/p/{post.pk}/delete/").status_code == 405
    assert Post.objects.filter(pk=post.pk).exists()


def test_delete_confirmation_then_delete(alice_client, alice, media_root, django_capture_on_commit_callbacks):
    post = PostFactory(author=alice, images=2)
    page = alice_client.get(f"/p/{post.pk}/delete/confirm/").content.decode()
    assert f'action="/p/{post.pk}/delete/"' in page and "Delete post?" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(f"/p/{post.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == reverse("profile", args=["alice"])
    assert not Post.objects.exists()
    assert post_files(media_root) == []
    alice.refresh_from_db()
    assert alice.post_count == 0
