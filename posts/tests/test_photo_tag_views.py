"""The "Tag people" page, tag removal, and the tags on the post page."""

from __future__ import annotations

import pytest

from accounts.tests.factories import BlockFactory, UserFactory, make_private
from posts.models import PhotoTag, PostMedia
from posts.services import photo_tag_add

from .factories import PostRowsFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(alice):
    return PostRowsFactory(author=alice, media=2)


@pytest.fixture
def photo(post):
    return PostMedia.objects.filter(post=post).order_by("position").first()


def test_author_tags_a_person_by_typed_name_and_spot(client, alice, bob, post, photo):
    client.force_login(alice)
    response = client.post(f"/p/{post.pk}/tags/", {"q": "@Bob", "x": "25", "y": "75.5"})
    assert response.status_code == 302 and response["Location"] == f"/p/{post.pk}/tags/{photo.pk}/"
    tag = PhotoTag.objects.get()
    assert (tag.user_id, tag.media_id, tag.x, tag.y) == (bob.pk, photo.pk, 0.25, 0.755)


@pytest.mark.parametrize("name", ["bobcat", "sleepy", "nobody_here"])
def test_a_typed_name_the_author_may_not_see_gets_the_same_answer_as_no_account(client, alice, post, photo, name):
    BlockFactory(blocker=UserFactory(username="bobcat"), blocked=alice)
    UserFactory(username="sleepy", is_active=False)
    client.force_login(alice)
    response = client.post(f"/p/{post.pk}/tags/", {"q": f"@{name}", "x": "50", "y": "50"})
    assert response.status_code == 400 and not PhotoTag.objects.exists()
    html = response.content.decode()
    assert f"You can&#x27;t tag @{name} in this post." in html and "No account" not in html


def test_suggestion_button_wins_over_the_typed_text(client, alice, bob, charlie, post, photo):
    client.force_login(alice)
    client.post(f"/p/{post.pk}/tags/{photo.pk}/", {"q": "ch", "username": "bob", "x": "50", "y": "50"})
    assert list(PhotoTag.objects.values_list("user_id", flat=True)) == [bob.pk]


def test_second_photo_has_its_own_page(client, alice, bob, post):
    second = PostMedia.objects.get(post=post, position=1)
    client.force_login(alice)
    response = client.post(f"/p/{post.pk}/tags/{second.pk}/", {"q": "bob", "x": "1", "y": "2"})
    assert response.status_code == 302
    assert PhotoTag.objects.get().media_id == second.pk
    html = client.get(f"/p/{post.pk}/tags/{second.pk}/").content.decode()
    assert 'class="tag-people__label" data-x="0.0100" data-y="0.0200">bob<' in html


def test_people_suggestions_come_from_the_authors_visible_people(client, alice, bob, post):
    bobby = UserFactory(username="bobby")
    blocked = UserFactory(username="bobcat")
    BlockFactory(blocker=blocked, blocked=alice)
    client.force_login(alice)
    html = client.get(f"/p/{post.pk}/tags/?q=BO", HTTP_HX_REQUEST="true").content.decode()
    assert 'value="bob"' in html and 'value="bobby"' in html and "bobcat" not in html
    assert "<html" not in html  # the partial alone
    assert bobby.pk


@pytest.mark.parametrize(
    "data",
    [
        {"q": "bob", "x": "101", "y": "50"},
        {"q": "bob", "x": "-1", "y": "50"},
        {"q": "bob", "x": "nan", "y": "50"},
        {"q": "bob", "x": "1e999", "y": "50"},
        {"q": "bob", "x": "abc", "y": ""},
        {"q": "bob"},
        {"q": "", "x": "50", "y": "50"},
        {"q": "nobody_here", "x": "50", "y": "50"},
        {"q": "bob\x00", "x": "50", "y": "50"},
        {"q": "b" * 500, "x": "50", "y": "50"},
    ],
)
def test_hostile_input_is_a_form_error_never_a_500(client, alice, bob, post, data):
    client.force_login(alice)
    response = client.post(f"/p/{post.pk}/tags/", data)
    assert response.status_code == 400
    assert 'class="field__errors"' in response.content.decode()
    assert not PhotoTag.objects.exists()


def test_blocked_person_is_refused_on_the_form(client, alice, bob, post):
    BlockFactory(blocker=bob, blocked=alice)
    client.force_login(alice)
    response = client.post(f"/p/{post.pk}/tags/", {"q": "bob", "x": "50", "y": "50"})
    assert response.status_code == 400 and "You can&#x27;t tag @bob" in response.content.decode()


def test_others_get_404_for_the_tag_page(client, bob, post, photo):
    client.force_login(bob)
    assert client.get(f"/p/{post.pk}/tags/").status_code == 404
    assert client.post(f"/p/{post.pk}/tags/", {"q": "bob", "x": "5", "y": "5"}).status_code == 404
    assert not PhotoTag.objects.exists()


def test_tag_page_of_a_missing_photo_or_a_video_only_post_is_404(client, alice, post):
    video_post = PostRowsFactory(author=alice)
    PostMedia.objects.filter(post=video_post).update(kind=PostMedia.Kind.VIDEO)
    client.force_login(alice)
    assert client.get(f"/p/{post.pk}/tags/999999/").status_code == 404
    assert client.get(f"/p/{video_post.pk}/tags/").status_code == 404


def test_anonymous_is_sent_to_login(client, post):
    response = client.get(f"/p/{post.pk}/tags/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_detail_shows_tags_the_viewer_may_see(client, alice, bob, charlie, post, photo):
    photo_tag_add(author=alice, media=photo, user=bob, x=0.3, y=0.4)
    photo_tag_add(author=alice, media=photo, user=charlie, x=0.6, y=0.7)
    BlockFactory(blocker=charlie, blocked=(viewer := UserFactory(username="dora")))
    client.force_login(viewer)
    html = client.get(f"/p/{post.pk}/").content.decode()
    assert html.count("data-photo-tags") == 1
    assert 'data-x="0.3000" data-y="0.4000"><a href="/bob/">bob</a>' in html
    assert "/charlie/" not in html  # charlie blocked the viewer
    assert "Remove me from this post" not in html


def test_a_tag_between_people_who_now_block_each_other_is_not_shown(client, alice, bob, charlie, post, photo):
    photo_tag_add(author=alice, media=photo, user=bob, x=0.3, y=0.4)
    BlockFactory(blocker=bob, blocked=alice)
    client.force_login(charlie)
    assert "data-photo-tags" not in client.get(f"/p/{post.pk}/").content.decode()


def test_tagged_person_removes_themself_from_the_post(client, alice, bob, post):
    items = list(PostMedia.objects.filter(post=post))
    for item in items:
        photo_tag_add(author=alice, media=item, user=bob, x=0.5, y=0.5)
    client.force_login(bob)
    html = client.get(f"/p/{post.pk}/").content.decode()
    assert "Remove me from this post" in html
    response = client.post(f"/p/{post.pk}/tags/remove-me/")
    assert response.status_code == 302 and response["Location"] == f"/p/{post.pk}/"
    assert not PhotoTag.objects.exists()


def test_remove_me_on_an_invisible_post_is_404(client, alice, bob, post, photo):
    photo_tag_add(author=alice, media=photo, user=bob, x=0.5, y=0.5)
    make_private(alice)
    client.force_login(bob)
    assert client.post(f"/p/{post.pk}/tags/remove-me/").status_code == 404
    assert PhotoTag.objects.exists()


def test_author_removes_a_tag_others_get_403(client, alice, bob, charlie, post, photo):
    tag = photo_tag_add(author=alice, media=photo, user=bob, x=0.5, y=0.5)
    client.force_login(charlie)
    assert client.post(f"/p/{post.pk}/tags/{tag.pk}/remove/").status_code == 403
    client.force_login(alice)
    response = client.post(f"/p/{post.pk}/tags/{tag.pk}/remove/", {"next": f"/p/{post.pk}/tags/"})
    assert response.status_code == 302 and response["Location"] == f"/p/{post.pk}/tags/"
    assert not PhotoTag.objects.exists()


def test_tag_of_another_post_or_an_impossible_id_is_404(client, alice, bob, post, photo):
    tag = photo_tag_add(author=alice, media=photo, user=bob, x=0.5, y=0.5)
    other = PostRowsFactory(author=alice)
    client.force_login(alice)
    assert client.post(f"/p/{other.pk}/tags/{tag.pk}/remove/").status_code == 404
    assert client.post(f"/p/{post.pk}/tags/{2**70}/remove/").status_code == 404
    assert client.get(f"/p/{post.pk}/tags/{tag.pk}/remove/").status_code == 405


def test_author_menu_links_to_tag_people(client, alice, post):
    client.force_login(alice)
    assert f'href="/p/{post.pk}/tags/">Tag people</a>' in client.get(f"/p/{post.pk}/").content.decode()


@pytest.mark.parametrize("n", [1, 12])
def test_detail_query_count_same_for_1_and_many_tags(client, alice, post, n, django_assert_num_queries):
    items = list(PostMedia.objects.filter(post=post))
    for person in UserFactory.create_batch(n):
        for item in items:
            photo_tag_add(author=alice, media=item, user=person, x=0.5, y=0.5)
    viewer = UserFactory()
    client.force_login(viewer)
    client.get(f"/p/{post.pk}/")  # warm the default avatar and the nav's unread badge
    # 1 session, 2 user, 3 post with the viewer's flags, 4 media, 5 tags with their people (one
    # query for every photo of the post), 6 comments page
    with django_assert_num_queries(6):
        html = client.get(f"/p/{post.pk}/").content.decode()
    assert html.count('class="photo-tags__tag"') == n * len(items)


def test_edit_page_links_each_photo_to_its_tag_page(client, alice, post):
    items = list(PostMedia.objects.filter(post=post).order_by("position"))
    client.force_login(alice)
    html = client.get(f"/p/{post.pk}/edit/").content.decode()
    for i, item in enumerate(items, start=1):
        assert f'href="/p/{post.pk}/tags/{item.pk}/">Tag people in photo {i}</a>' in html


def test_htmx_get_without_a_search_gets_the_whole_page(client, alice, post):
    client.force_login(alice)
    html = client.get(f"/p/{post.pk}/tags/", HTTP_HX_REQUEST="true").content.decode()
    assert "<h1" in html and "data-tag-people" in html
