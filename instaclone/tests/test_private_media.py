"""Media of private accounts: URLs that expire (signed by us for local storage, by ImageKit's SDK
on ImageKit), `Cache-Control: private`; unsigned, forged and expired links refused; public accounts'
media stay public and cacheable; avatars stay public."""

import html
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from instaclone.media import serving
from instaclone.media.urls import file_url, private_expiry, private_url_ttl
from instaclone.testing import image_bytes, make_user
from posts.models import PostMedia
from posts.tests.factories import PostFactory, real_mp4, upload
from social.tests.factories import follow, make_private

pytestmark = pytest.mark.django_db


def media_srcs(response) -> list[str]:
    """Every post media URL (/media/posts/...) in img/video src and poster attributes of a page."""
    page = response.content.decode()
    return [html.unescape(u) for u in re.findall(r'(?:src|poster)="(/media/posts/[^"]+)"', page)]


def fetch(client, url):
    response = client.get(url)
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)
    return response


@pytest.fixture
def private_post(alice, bob):
    """Alice is private, Bob follows her, she has a photo post."""
    make_private(alice)
    follow(bob, alice)
    return PostFactory(author=alice, images=1)


@pytest.fixture
def bob_client(client, bob):
    client.force_login(bob)
    return client


def test_a_followers_page_shows_signed_urls_that_load_privately(private_post, bob_client):
    response = bob_client.get(private_post.get_absolute_url())

    urls = media_srcs(response)
    assert urls and all("?e=" in u and "&s=" in u for u in urls)
    image = fetch(bob_client, urls[0])
    assert image.status_code == 200
    cache = image["Cache-Control"]
    assert cache.startswith("private, max-age=")
    max_age = int(cache.rsplit("=", 1)[1])
    assert private_url_ttl() - 5 <= max_age <= private_url_ttl() * 7 // 6


def test_the_same_signed_url_is_handed_out_within_a_time_bucket(private_post, bob_client, monkeypatch):
    now = 1_900_000_201  # just past a bucket boundary for the default TTL (3600 s: 600 s buckets)
    assert private_expiry(now) == private_expiry(now + 599) < private_expiry(now + 600)
    assert now + private_url_ttl() <= private_expiry(now) <= now + private_url_ttl() + 600

    first = media_srcs(bob_client.get(private_post.get_absolute_url()))
    second = media_srcs(bob_client.get(private_post.get_absolute_url()))
    assert first == second  # cacheable by the browser within the bucket (unless a boundary passed)


def test_a_signed_url_stops_working_after_it_expires(private_post, bob_client, monkeypatch):
    url = media_srcs(bob_client.get(private_post.get_absolute_url()))[0]
    expiry = int(re.search(r"[?&]e=(\d+)", url).group(1))

    monkeypatch.setattr(serving, "_now", lambda: expiry - 1)
    assert fetch(bob_client, url).status_code == 200
    monkeypatch.setattr(serving, "_now", lambda: expiry + 1)
    assert fetch(bob_client, url).status_code == 403


def test_unsigned_forged_and_borrowed_signatures_are_refused(private_post, bob_client, client):
    media = private_post.media.get()
    signed = media_srcs(bob_client.get(private_post.get_absolute_url()))[0]
    path, _, query = signed.partition("?")
    rendition = path.removeprefix("/media/")

    assert fetch(client, path).status_code == 404  # the unsigned rendition
    assert fetch(client, f"/media/{media.file}").status_code == 404  # the unsigned original
    assert fetch(client, re.sub(r"s=[^&]+", "s=forged", signed)).status_code == 403
    later = int(re.search(r"e=(\d+)", query).group(1)) + 3600
    assert fetch(client, re.sub(r"e=\d+", f"e={later}", signed)).status_code == 403  # expiry moved
    other = next(name for name in media.renditions.values() if name != rendition) if len(
        set(media.renditions.values())) > 1 else media.file
    assert fetch(client, f"/media/{other}?{query}").status_code == 403  # signature of another file
    assert fetch(client, f"{path}?e=abc&s=x").status_code == 403
    assert fetch(client, signed).status_code == 200  # anyone holding a valid link, until it expires


def test_public_media_stay_public_and_cacheable_forever(alice, client):
    post = PostFactory(author=alice)

    urls = media_srcs(client.get(post.get_absolute_url()))

    assert urls and all("?" not in u for u in urls)
    response = fetch(client, urls[0])
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"


def test_the_old_unsigned_url_stops_working_when_the_account_turns_private(alice, bob, client):
    post = PostFactory(author=alice)
    old = media_srcs(client.get(post.get_absolute_url()))[0]
    original = f"/media/{post.media.get().file}"
    assert fetch(client, old).status_code == 200
    assert fetch(client, original).status_code == 200

    make_private(alice)

    assert fetch(client, old).status_code == 404
    assert fetch(client, original).status_code == 404


def test_avatars_of_private_accounts_stay_public(alice, client):
    make_private(alice)
    alice.avatar = default_storage.save("avatars/alice.jpg", __import__("io").BytesIO(image_bytes()))
    alice.save(update_fields=["avatar"])

    url = alice.avatar_url
    response = fetch(client, url)

    assert "?" not in url
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"


def test_a_private_video_and_its_poster_get_signed_urls(alice, bob, bob_client):
    if real_mp4() is None:
        pytest.skip("needs ffmpeg")
    from posts.services import post_create

    make_private(alice)
    follow(bob, alice)
    post = post_create(author=alice, caption="", files=[(upload("clip.mp4", real_mp4(), "video/mp4"), "")])
    media = post.media.get()

    urls = media_srcs(bob_client.get(post.get_absolute_url()))

    assert any(u.startswith(f"/media/{media.file}?e=") for u in urls)  # the video
    assert all("?e=" in u for u in urls)
    for url in urls:
        assert fetch(bob_client, url).status_code == 200
        assert fetch(bob_client, url.partition("?")[0]).status_code == 404


def test_a_nul_byte_in_a_media_path_is_a_404_not_a_500(client):
    assert client.get("/media/posts/a%00b.jpg").status_code == 404


# --- ImageKit ------------------------------------------------------------------------------


def test_imagekit_urls_of_a_private_account_carry_an_expiry_and_are_enforced(fake_imagekit, alice):
    import httpx

    make_private(alice)
    PostFactory(author=alice)
    media = PostMedia.objects.select_related("post__author").get()
    from instaclone.media.renditions import rendition_url

    url = rendition_url(media, 640)
    assert re.search(r"[?&]ik-t=\d+&ik-s=[0-9a-f]{40}$", url)
    expiry = int(re.search(r"ik-t=(\d+)", url).group(1))
    assert expiry == private_expiry() or expiry == private_expiry() + 1  # bucketed (SDK rounds to s)

    fake_imagekit.restrict_unsigned = True  # ImageKit's "Restrict unsigned URLs"
    assert httpx.get(url).status_code == 200
    assert httpx.get(url.split("&ik-t")[0]).status_code == 401  # the unsigned form
    assert httpx.get(re.sub(r"ik-t=\d+", f"ik-t={expiry + 999}", url)).status_code == 401  # forged expiry
    soon = file_url(media.file, storage=default_storage)  # public form: signed, no expiry
    assert "ik-t" not in soon and httpx.get(soon).status_code == 200
    assert httpx.get(url).status_code == 200
    fake_imagekit.clock = lambda: expiry + 1  # time moves past the expiry
    assert httpx.get(url).status_code == 401  # expired
    assert httpx.get(soon).status_code == 200  # public media never expire


def test_imagekit_urls_of_a_public_account_are_signed_without_expiry(fake_imagekit, alice):
    PostFactory(author=alice)
    media = PostMedia.objects.select_related("post__author").get()
    from instaclone.media.renditions import original_url, rendition_url

    for url in (rendition_url(media, 320), original_url(media)):
        assert "ik-s=" in url and "ik-t=" not in url


# --- in a browser ----------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_follower_sees_the_private_accounts_photo_load(page, live_server, login):
    alice = make_user("alice")
    bob = make_user("bob")
    make_private(alice)
    follow(bob, alice)
    post = PostFactory(author=alice)

    login(page, "bob")
    page.goto(f"{live_server.url}{post.get_absolute_url()}")

    img = page.locator("img.carousel__img").first
    assert "?e=" in img.get_attribute("src")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img.element_handle())


def test_renditions_are_named_after_their_original(private_post):
    media = private_post.media.get()
    stem = media.file.rsplit("/", 1)[1].split(".")[0]
    names = set(media.renditions.values())
    assert names and all(n.startswith(f"posts/renditions/{stem}-") for n in names)


def test_an_unsigned_rendition_is_checked_with_one_indexed_query(
    private_post, client, django_assert_num_queries
):
    rendition = next(iter(private_post.media.get().renditions.values()))
    with django_assert_num_queries(1):  # the post media whose original this rendition was named after
        assert fetch(client, f"/media/{rendition}").status_code in (403, 404)


def test_an_unsigned_rendition_with_an_old_random_name_is_still_refused(private_post, client):
    media = private_post.media.get()
    old_name = "posts/renditions/" + "ab" * 16 + ".jpg"  # how renditions were named before
    default_storage.save(old_name, ContentFile(image_bytes()))
    media.renditions = {**media.renditions, "320": old_name}
    media.save(update_fields=["renditions"])
    assert fetch(client, f"/media/{old_name}").status_code in (403, 404)


@pytest.mark.parametrize("spelling", ["./{}", "{}", "x/../{}", "{}//"])
def test_another_spelling_of_a_private_file_name_is_refused(private_post, client, spelling):
    media = private_post.media.get()
    for name in [media.file, *media.renditions.values()]:
        folder, _, base = name.rpartition("/")
        variants = {
            "./{}": f"./{name}",
            "{}": f"{folder}//{base}",
            "x/../{}": f"{folder}/x/../{base}",
            "{}//": f"{folder.replace('/', '//', 1)}/{base}",
        }
        assert fetch(client, f"/media/{variants[spelling]}").status_code == 404


def test_a_file_a_public_post_also_shows_stays_public(private_post, bob, client):
    """Demo data shares photos between posts: a file used by a public post is public."""
    media = private_post.media.get()
    public_post = PostFactory(author=bob, images=1)
    public_post.media.update(file=media.file, renditions=media.renditions)
    response = fetch(client, f"/media/{media.file}")
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"


def test_an_expiry_in_other_digits_is_a_403_not_a_500(private_post, bob_client, client):
    """"²".isdigit() is true and int() refuses it."""
    path = media_srcs(bob_client.get(private_post.get_absolute_url()))[0].partition("?")[0]
    assert fetch(client, f"{path}?e=%C2%B2&s=x").status_code == 403
