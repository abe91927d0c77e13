"""Views of likes, saves and comments: HTMX swaps, no-JS redirects, auth, 405/404/403, escaping."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Block, Follow
from posts import selectors, services
from posts.models import Comment, Like, Save

from .test_interactions_services import make_post

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def post(bob):
    return make_post(bob, "bob's photo")


def url(name, post, **kw):
    return reverse(f"posts:{name}", kwargs={"pk": post.pk, **kw})


# --- like / unlike ---------------------------------------------------------------------------------


def test_htmx_like_swaps_the_button_and_updates_the_count(alice_client, alice, post):
    response = alice_client.post(url("like", post), **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert 'aria-pressed="true"' in html and url("unlike", post) in html  # the button is now "Unlike"
    assert f'id="like-count-{post.pk}" hx-swap-oob="true"' in html
    assert "1 like<" in html
    assert Like.objects.filter(user=alice, post=post).count() == 1


def test_like_twice_over_http_keeps_one_like(alice_client, post):
    alice_client.post(url("like", post), **HX)
    response = alice_client.post(url("like", post), **HX)
    assert "1 like<" in response.content.decode()
    post.refresh_from_db()
    assert post.like_count == 1 == Like.objects.count()


def test_htmx_unlike_swaps_back(alice_client, alice, post):
    services.like_create(user=alice, post_id=post.pk)
    response = alice_client.post(url("unlike", post), **HX)
    html = response.content.decode()
    assert 'aria-pressed="false"' in html and url("like", post) in html
    assert not Like.objects.exists()


def test_no_js_like_redirects_back_to_next(alice_client, post):
    response = alice_client.post(url("like", post), {"next": "/explore/?x=1"})
    assert response.status_code == 302
    assert response["Location"] == f"/explore/?x=1#post-{post.pk}"
    assert Like.objects.count() == 1


@pytest.mark.parametrize("evil", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_no_js_like_ignores_a_next_off_site(alice_client, post, evil):
    response = alice_client.post(url("like", post), {"next": evil})
    assert response["Location"] == f"{post.get_absolute_url()}#post-{post.pk}"


def test_anonymous_htmx_post_gets_hx_redirect_to_login(client, post):
    response = client.post(url("like", post), HTTP_HX_CURRENT_URL="http://testserver/explore/", **HX)
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("account_login") + "?next=/explore/"
    assert response.content == b""
    assert not Like.objects.exists()


def test_anonymous_plain_post_redirects_to_login(client, post):
    response = client.post(url("save", post), {"next": post.get_absolute_url()})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login") + f"?next=/p/{post.pk}/"
    assert not Save.objects.exists()


@pytest.mark.parametrize("name", ["like", "unlike", "save", "unsave"])
def test_get_on_a_state_changing_url_is_405(alice_client, post, name):
    assert alice_client.get(url(name, post)).status_code == 405


def test_get_on_comment_delete_is_405(alice_client, alice, post):
    comment = services.comment_create(user=alice, post_id=post.pk, body="x")
    assert alice_client.get(url("comment_delete", post, comment_id=comment.pk)).status_code == 405


@pytest.mark.parametrize("case", ["private", "blocked_by_author", "blocking_author", "hidden", "missing"])
def test_acting_on_a_post_you_cannot_see_is_404(alice_client, alice, bob, case):
    post = make_post(bob, hidden=(case == "hidden"))
    if case == "private":
        bob.is_private = True
        bob.save()
    elif case == "blocked_by_author":
        Block.objects.create(blocker=bob, blocked=alice)
    elif case == "blocking_author":
        Block.objects.create(blocker=alice, blocked=bob)
    pk = post.pk + 1000 if case == "missing" else post.pk
    for name in ("like", "unlike", "save", "unsave", "comments"):
        response = alice_client.post(reverse(f"posts:{name}", kwargs={"pk": pk}), {"body": "hi"}, **HX)
        assert response.status_code == 404, name
    assert alice_client.get(reverse("posts:liked_by", kwargs={"pk": pk})).status_code == 404
    assert alice_client.get(reverse("posts:comments", kwargs={"pk": pk})).status_code == 404
    assert not (Like.objects.exists() or Save.objects.exists() or Comment.objects.exists())


def test_private_post_of_someone_you_follow_can_be_liked(alice_client, alice, bob):
    bob.is_private = True
    bob.save()
    Follow.objects.create(follower=alice, followee=bob)
    post = make_post(bob)
    assert alice_client.post(url("like", post), **HX).status_code == 200


def test_forged_csrf_is_403(alice, post):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post(url("like", post), **HX).status_code == 403
    assert client.post(url("comments", post), {"body": "hi"}).status_code == 403
    assert not Like.objects.exists() and not Comment.objects.exists()


# --- save ------------------------------------------------------------------------------------------


def test_htmx_save_swaps_the_button(alice_client, alice, post):
    html = alice_client.post(url("save", post), **HX).content.decode()
    assert 'aria-pressed="true"' in html and url("unsave", post) in html and "<html" not in html
    assert Save.objects.filter(user=alice, post=post).exists()
    html = alice_client.post(url("unsave", post), **HX).content.decode()
    assert url("save", post) in html and not Save.objects.exists()


def test_saved_page_shows_only_the_viewers_own_saves(client, alice, bob, charlie):
    mine, theirs = make_post(charlie), make_post(charlie)
    services.save_create(user=alice, post_id=mine.pk)
    services.save_create(user=bob, post_id=theirs.pk)
    client.force_login(alice)
    html = client.get("/saved/").content.decode()
    assert f'id="saved-{mine.pk}"' in html and f'id="saved-{theirs.pk}"' not in html
    client.force_login(bob)
    html = client.get("/saved/").content.decode()
    assert f'id="saved-{theirs.pk}"' in html and f'id="saved-{mine.pk}"' not in html


def test_saved_page_needs_login(client):
    response = client.get("/saved/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    response = client.get("/saved/", **HX)
    assert response["HX-Redirect"].startswith(reverse("account_login"))


# --- comments --------------------------------------------------------------------------------------


def test_htmx_comment_appears_with_a_fresh_form_and_new_count(alice_client, alice, post):
    response = alice_client.post(url("comments", post), {"body": "Nice one"}, **HX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    comment = Comment.objects.get()
    assert f'hx-swap-oob="beforeend:#comments-{post.pk}"' in html
    assert f'id="comment-{comment.pk}"' in html and "Nice one" in html
    assert f'id="comment-count-{post.pk}" hx-swap-oob="true"><a href="/p/{post.pk}/#comments">1 comment</a>' in html
    assert f'id="comment-form-{post.pk}"' in html and "field__errors" not in html


@pytest.mark.parametrize("body", ["", "   ", "x" * 2201])
def test_empty_or_overlong_comment_shows_an_inline_error_and_saves_nothing(alice_client, post, body):
    response = alice_client.post(url("comments", post), {"body": body}, **HX)
    html = response.content.decode()
    assert response.status_code == 200  # htmx swaps 2xx only: the error must be visible
    assert 'role="alert"' in html and "comment-form__error" in html
    assert ("Write something" in html) or ("at most 2,200" in html)
    assert not Comment.objects.exists()
    post.refresh_from_db()
    assert post.comment_count == 0


def test_no_js_empty_comment_redirects_back_with_a_message(alice_client, post):
    response = alice_client.post(url("comments", post), {"body": "", "next": post.get_absolute_url()}, follow=False)
    assert response.status_code == 302 and response["Location"].startswith(post.get_absolute_url())
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("Write something" in m for m in messages)
    assert not Comment.objects.exists()


def test_no_js_comment_redirects_to_the_new_comment(alice_client, post):
    response = alice_client.post(url("comments", post), {"body": "plain", "next": post.get_absolute_url()})
    comment = Comment.objects.get()
    assert response["Location"] == f"{post.get_absolute_url()}#comment-{comment.pk}"


def test_hostile_comment_is_escaped(alice_client, post):
    response = alice_client.post(url("comments", post), {"body": '<script>alert("x")</script><img src=x onerror=1>'}, **HX)
    html = response.content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html


def test_delete_someone_elses_comment_on_their_post_is_403(client, alice, bob, charlie, post):
    comment = services.comment_create(user=bob, post_id=post.pk, body="author's own")
    client.force_login(charlie)
    response = client.post(url("comment_delete", post, comment_id=comment.pk), **HX)
    assert response.status_code == 403
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_delete_a_comment_on_your_own_post_works(client, alice, bob, post):
    comment = services.comment_create(user=alice, post_id=post.pk, body="spam")
    client.force_login(bob)
    response = client.post(url("comment_delete", post, comment_id=comment.pk), **HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="comment-count-{post.pk}" hx-swap-oob="true">No comments yet<' in html
    assert not Comment.objects.exists()


def test_no_js_delete_own_comment_redirects_back(alice_client, alice, post):
    comment = services.comment_create(user=alice, post_id=post.pk, body="oops")
    response = alice_client.post(url("comment_delete", post, comment_id=comment.pk), {"next": post.get_absolute_url()})
    assert response.status_code == 302 and not Comment.objects.exists()


def test_comments_load_more_page(client, alice, post):
    for i in range(25):
        services.comment_create(user=alice, post_id=post.pk, body=f"comment number {i}")
    first = selectors.comments_page(None, post)
    response = client.get(url("comments", post) + f"?cursor={first.next_cursor}", **HX)
    html = response.content.decode()
    assert "<html" not in html
    assert "comment number 20" in html and "comment number 24" in html and "comment number 19" not in html
    assert "Load more comments" not in html
    # without JS the same URL is a full page
    assert "<html" in client.get(url("comments", post)).content.decode()


def test_comments_page_with_a_garbage_cursor_is_400(client, post):
    assert client.get(url("comments", post) + "?cursor=%%%garbage").status_code == 400


# --- liked by --------------------------------------------------------------------------------------


def test_liked_by_lists_likers_newest_first_without_blocked_people(client, alice, bob, charlie, post):
    for user in (bob, charlie):
        services.like_create(user=user, post_id=post.pk)
    Block.objects.create(blocker=alice, blocked=charlie)
    client.force_login(alice)
    html = client.get(url("liked_by", post)).content.decode().split('id="likers"')[1]
    assert 'href="/bob/"' in html and 'href="/charlie/"' not in html
    client.force_login(bob)
    html = client.get(url("liked_by", post)).content.decode().split('id="likers"')[1]
    assert html.index('href="/charlie/"') < html.index('href="/bob/"')


# --- post detail -----------------------------------------------------------------------------------


def _render_detail(viewer, post):
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from posts.selectors import post_get_for_viewer

    post = post_get_for_viewer(viewer, post.pk)
    request = RequestFactory().get(post.get_absolute_url())
    request.user = viewer
    request.htmx = False
    context = {"post": post, "media": list(post.media.all()), "is_author": viewer.pk == post.author_id}
    context.update(selectors.detail_context(viewer, post))
    return render_to_string("posts/detail.html", context, request=request)


def test_detail_with_detail_context_shows_like_state_comments_delete_buttons_and_form(alice, bob, charlie, post):
    services.like_create(user=alice, post_id=post.pk)
    services.save_create(user=alice, post_id=post.pk)
    own = services.comment_create(user=alice, post_id=post.pk, body="mine @charlie")
    other = services.comment_create(user=charlie, post_id=post.pk, body="charlie's")
    html = _render_detail(alice, post)
    assert url("unlike", post) in html and url("unsave", post) in html
    assert f'href="{url("liked_by", post)}"><strong>1 like</strong>' in html
    assert html.index(f'id="comment-{own.pk}"') < html.index(f'id="comment-{other.pk}"')  # oldest first
    assert url("comment_delete", post, comment_id=own.pk) in html
    assert url("comment_delete", post, comment_id=other.pk) not in html  # not hers, not her post
    assert f'id="comment-form-{post.pk}"' in html and 'name="body"' in html
    assert 'class="caption__mention" href="/charlie/"' in html
    # the post's author may delete every comment
    html = _render_detail(bob, post)
    assert url("comment_delete", post, comment_id=other.pk) in html


def test_detail_comments_load_more_link_when_there_are_more(alice, post):
    for i in range(selectors.COMMENTS_PAGE_SIZE + 1):
        services.comment_create(user=alice, post_id=post.pk, body=f"c{i}")
    html = _render_detail(alice, post)
    assert "Load more comments" in html and html.count('class="comment"') == selectors.COMMENTS_PAGE_SIZE


def test_comments_section_fragment_for_late_loading(client, alice, post):
    services.comment_create(user=alice, post_id=post.pk, body="late")
    html = client.get(url("comments", post) + "?section=1", **HX).content.decode()
    assert html.lstrip().startswith('<section class="comments" id="comments"') and "late" in html


def test_post_detail_page_shows_the_viewers_like_and_comments(alice_client, alice, post):
    services.like_create(user=alice, post_id=post.pk)
    services.comment_create(user=alice, post_id=post.pk, body="server-rendered")
    html = alice_client.get(post.get_absolute_url()).content.decode()
    assert url("unlike", post) in html
    assert "server-rendered" in html


def test_anonymous_htmx_comment_gets_hx_redirect_and_nothing_saved(client, post):
    response = client.post(url("comments", post), {"body": "hi"}, HTTP_HX_CURRENT_URL=f"http://testserver/p/{post.pk}/", **HX)
    assert response["HX-Redirect"] == reverse("account_login") + f"?next=/p/{post.pk}/"
    assert not Comment.objects.exists()


def test_anonymous_may_read_comments_and_likers_of_a_public_post(client, alice, post):
    services.comment_create(user=alice, post_id=post.pk, body="public words")
    services.like_create(user=alice, post_id=post.pk)
    assert "public words" in client.get(url("comments", post)).content.decode()
    assert 'href="/alice/"' in client.get(url("liked_by", post)).content.decode()


def test_liked_by_pages_newest_first_with_more_link(client, alice, post, monkeypatch):
    from instaclone.testing import make_user

    monkeypatch.setattr(selectors, "LIKERS_PAGE_SIZE", 2)
    for i in range(3):
        services.like_create(user=make_user(f"liker{i}"), post_id=post.pk)
    client.force_login(alice)
    first = client.get(url("liked_by", post)).content.decode()
    assert "liker2" in first and "liker1" in first and "liker0" not in first
    cursor = selectors.likers_page(alice, post).next_cursor
    assert f"?cursor={cursor}" in first
    more = client.get(url("liked_by", post) + f"?cursor={cursor}", **HX).content.decode()
    assert "<html" not in more and "liker0" in more and "liker1" not in more and "likers-more" not in more


def test_saved_pages_newest_saved_first_with_more_link(client, alice, bob, monkeypatch):
    monkeypatch.setattr(selectors, "SAVED_PAGE_SIZE", 2)
    posts = [make_post(bob) for _ in range(3)]
    for p in posts:
        services.save_create(user=alice, post_id=p.pk)
    client.force_login(alice)
    first = client.get("/saved/").content.decode()
    assert f'id="saved-{posts[2].pk}"' in first and f'id="saved-{posts[0].pk}"' not in first
    cursor = selectors.saved_page(alice).next_cursor
    more = client.get(f"/saved/?cursor={cursor}", **HX).content.decode()
    assert "<html" not in more and f'id="saved-{posts[0].pk}"' in more and 'id="saved-more"' not in more


def test_saved_tab_only_on_your_own_profile(client, alice, bob):
    client.force_login(alice)
    assert 'href="/saved/"' in client.get("/alice/").content.decode()
    assert 'href="/saved/"' not in client.get("/bob/").content.decode()
