"""The frame a post is shown in: chosen at upload (posts.services.post_create), shared by every slide,
never taller than 4:5 or wider than 1.91:1; and the data migration that gives older posts theirs."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError

from posts.models import Post, PostMedia
from posts.services import post_create

from .factories import PostRowsFactory, jpeg

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("aspect", "ratio"), [("square", 1.0), ("portrait", 0.8), ("landscape", 1.91)]
)
def test_preset_aspect_is_stored_whatever_the_photo(alice, aspect, ratio):
    post = post_create(author=alice, caption="", files=[(jpeg(size=(300, 100)), "")], aspect=aspect)
    post.refresh_from_db()
    assert (post.aspect, post.aspect_ratio) == (aspect, pytest.approx(ratio))


@pytest.mark.parametrize(
    ("size", "ratio"),
    [
        ((120, 90), 4 / 3),  # within the bounds: its own shape
        ((60, 240), 0.8),  # a tall 1:4 strip: clamped to 4:5
        ((400, 50), 1.91),  # a panorama: clamped to 1.91:1
    ],
)
def test_original_aspect_is_the_first_files_shape_clamped(alice, size, ratio):
    post = post_create(
        author=alice, caption="", files=[(jpeg(size=size), ""), (jpeg(size=(50, 50)), "")], aspect="original"
    )
    post.refresh_from_db()
    assert post.aspect == Post.Aspect.ORIGINAL
    assert post.aspect_ratio == pytest.approx(ratio, abs=1e-3)


def test_aspect_defaults_to_original(alice):
    post = post_create(author=alice, caption="", files=[(jpeg(size=(100, 50)), "")])
    assert (post.aspect, post.aspect_ratio) == (Post.Aspect.ORIGINAL, pytest.approx(1.91))  # 2:1, clamped


def test_unknown_aspect_is_refused_and_nothing_is_stored(alice):
    with pytest.raises(ValidationError) as caught:
        post_create(author=alice, caption="", files=[(jpeg(), "")], aspect="cinema")
    assert "aspect" in caught.value.message_dict
    assert not Post.objects.exists()


def test_new_post_form_passes_the_chosen_aspect(alice_client, media_root):
    r = alice_client.post(
        "/p/new/", {"media": [jpeg(size=(80, 80))], "caption": "", "aspect": "portrait"}
    )
    assert r.status_code == 302
    assert Post.objects.get().aspect_ratio == pytest.approx(0.8)


def test_new_post_form_refuses_an_unknown_aspect(alice_client, media_root):
    r = alice_client.post("/p/new/", {"media": [jpeg()], "caption": "", "aspect": "cinema"})
    assert r.status_code == 400
    assert not Post.objects.exists()


def test_migration_fills_older_posts_ratio_from_their_first_media(alice):
    tall, wide, square, empty = (PostRowsFactory(author=alice, media=2) for _ in range(4))
    PostMedia.objects.filter(post=tall, position=0).update(width=100, height=400)
    PostMedia.objects.filter(post=wide, position=0).update(width=300, height=200)
    PostMedia.objects.filter(post=square, position=0).update(width=0, height=0)  # unknown size
    PostMedia.objects.filter(post=empty).delete()
    Post.objects.update(aspect_ratio=1.0)

    migration = importlib.import_module("posts.migrations.0007_post_aspect_ratio_from_first_media")
    migration.fill_aspect_ratio(django_apps, None)

    ratios = dict(Post.objects.values_list("pk", "aspect_ratio"))
    assert ratios[tall.pk] == pytest.approx(0.8)
    assert ratios[wide.pk] == pytest.approx(1.5)
    assert ratios[square.pk] == ratios[empty.pk] == 1.0
