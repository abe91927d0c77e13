"""Comments: the services (validation, mentions, who may delete), the selectors (latest per card, pages,
visibility) and the views (HTMX swaps, no-JS redirects, escaping, the post page's comments)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from accounts.tests.factories import BlockFactory, FollowFactory
from posts import selectors, services
from posts.models import Comment

from .factories import HX, PostRowsFactory, post_url

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("body", ["", "   \n  ", "x" * 2201])
def test_empty_or_overlong_comment_is_refused_and_nothing_saved(alice, bob, body):
    post = PostRowsFactory(author=bob)
    with pytest.raises(ValidationError):
        services.comment_create(user=alice, post_id=post.pk, body=body)
    post.refresh_from_db()
    assert post.comment_count == 0 and not Comment.objects.exists()


def test_comment_of_exactly_2200_characters_is_accepted(alice, bob):
    post = PostRowsFactory(author=bob)
    comment = services.comment_create(user=alice, post_id=post.pk, body="y" * 2200)
    assert len(comment.body) == 2200 and comment.post.comment_count == 1


def test_comment_mentions_notify_only_people_allowed(alice, bob, charlie, catch):
    from instaclone.testing import make_user

    make_user("dave")
    post = PostRowsFactory(author=bob)
    BlockFactory(blocker=charlie, blocked=alice)  # charlie blocked the commenter
    body = "hi @Bob @charlie @dave @nobody @alice"
    comment = services.comment_create(user=alice, post_id=post.pk, body=body)
    (sent_comment, mentioned), = catch["comment"]
    assert sent_comment == comment
    # bob is the post's author (told by the comment notification itself), charlie blocked alice,
    # nobody does not exist, alice is the commenter: only dave is mentioned
    assert {u.username for u in mentioned} == {"dave"}


def test_comment_mention_is_not_sent_to_someone_who_cannot_see_the_private_post(alice, bob, charlie, catch):
    bob.is_private = True
    bob.save()
    FollowFactory(follower=alice, followee=bob)
    post = PostRowsFactory(author=bob)
    services.comment_create(user=alice, post_id=post.pk, body="@charlie look")
    (_, mentioned), = catch["comment"]
    assert mentioned == []


def test_comment_body_is_escaped_and_mentions_linked(alice, bob):
    post = PostRowsFactory(author=bob)
    comment = services.comment_create(user=alice, post_id=post.pk, body='<script>alert(1)</script> @bob')
    assert "<script>" not in comment.body_html
    assert "&lt;script&gt;" in comment.body_html
    assert 'href="/bob/"' in comment.body_html


def test_delete_own_comment(alice, bob):
    post = PostRowsFactory(author=bob)
    comment = services.comment_create(user=alice, post_id=post.pk, body="mine")
    result = services.comment_delete(user=alice, post_id=post.pk, comment_id=comment.pk)
    assert result.comment_count == 0 and not Comment.objects.exists()


def test_post_author_may_delete_any_comment_on_their_post(alice, bob):
    post = PostRowsFactory(author=bob)
    comment = services.comment_create(user=alice, post_id=post.pk, body="rude")
    services.comment_delete(user=bob, post_id=post.pk, comment_id=comment.pk)
    assert not Comment.objects.exists()


def test_deleting_someone_elses_comment_on_their_post_is_forbidden(alice, bob, charlie):
    post = PostRowsFactory(author=bob)
    comment = services.comment_create(user=bob, post_id=post.pk, body="my own post")
    with pytest.raises(PermissionDenied):
        services.comment_delete(user=charlie, post_id=post.pk, comment_id=comment.pk)
    assert Comment.objects.filter(pk=comment.pk).exists()
    post.refresh_from_db()
    assert post.comment_count == 1


def test_comment_id_of_another_post_is_404(alice, bob):
    post, other = PostRowsFactory(author=bob), PostRowsFactory(author=alice)
    comment = services.comment_create(user=alice, post_id=other.pk, body="elsewhere")
    with pytest.raises(Http404):
        services.comment_delete(user=bob, post_id=post.pk, comment_id=comment.pk)


def test_latest_comments_gives_the_last_two_per_post_oldest_first(alice, bob, charlie):
    p1, p2, p3 = PostRowsFactory(author=bob), PostRowsFactory(author=bob), PostRowsFactory(author=bob)
    for text in ("a", "b", "c"):
        services.comment_create(user=alice, post_id=p1.pk, body=text)
    services.comment_create(user=charlie, post_id=p2.pk, body="only")
    posts = list(selectors.post_queryset(alice).filter(pk__in=[p1.pk, p2.pk, p3.pk]))
    latest = selectors.latest_comments(posts, alice)
    assert [c.body for c in latest[p1.pk]] == ["b", "c"]
    assert [c.body for c in latest[p2.pk]] == ["only"]
    assert latest[p3.pk] == []


def test_latest_comments_of_a_page_with_many_comments_are_picked_by_the_database(
    alice, bob, charlie, monkeypatch
):
    """Above LATEST_COMMENTS_PLAIN_MAX comment rows in all, a window function picks the latest
    comments instead of Python: the same answer, hidden and blocked comments left out."""
    p1, p2 = PostRowsFactory(author=bob), PostRowsFactory(author=bob)
    for text in ("a", "b", "c", "d"):
        services.comment_create(user=alice, post_id=p1.pk, body=text)
    services.comment_create(user=charlie, post_id=p1.pk, body="blocked")
    hidden = services.comment_create(user=bob, post_id=p2.pk, body="hidden")
    Comment.objects.filter(pk=hidden.pk).update(is_hidden=True)
    services.comment_create(user=bob, post_id=p2.pk, body="shown")
    BlockFactory(blocker=alice, blocked=charlie)
    posts = list(selectors.post_queryset(alice).filter(pk__in=[p1.pk, p2.pk]))
    plain = selectors.latest_comments(posts, alice)
    monkeypatch.setattr(selectors, "LATEST_COMMENTS_PLAIN_MAX", 0)
    windowed = selectors.latest_comments(posts, alice)
    for latest in (plain, windowed):
        assert [c.body for c in latest[p1.pk]] == ["c", "d"]
        assert [c.body for c in latest[p2.pk]] == ["shown"]


def test_hidden_and_blocked_comments_are_not_shown(alice, bob, charlie):
    post = PostRowsFactory(author=bob)
    services.comment_create(user=alice, post_id=post.pk, body="visible")
    hidden = services.comment_create(user=alice, post_id=post.pk, body="hidden")
    Comment.objects.filter(pk=hidden.pk).update(is_hidden=True)
    services.comment_create(user=charlie, post_id=post.pk, body="by charlie")
    BlockFactory(blocker=alice, blocked=charlie)
    bodies = [c.body for c in selectors.comments_page(alice, post).items]
    assert bodies == ["visible"]
    posts = list(selectors.post_queryset(alice).filter(pk=post.pk))
    assert [c.body for c in selectors.latest_comments(posts, alice)[post.pk]] == ["visible"]
    # bob (no block) still sees charlie's comment
    assert [c.body for c in selectors.comments_page(bob, post).items] == ["visible", "by charlie"]


def test_comments_page_loads_more_oldest_first_without_repeats(alice, bob):
    post = PostRowsFactory(author=bob)
    for i in range(5):
        services.comment_create(user=alice, post_id=post.pk, body=f"c{i}")
    first = selectors.comments_page(bob, post, size=2)
    second = selectors.comments_page(bob, post, cursor=first.next_cursor, size=2)
    third = selectors.comments_page(bob, post, cursor=second.next_cursor, size=2)
    assert [c.body for c in first.items + second.items + third.items] == [f"c{i}" for i in range(5)]
    assert third.next_cursor is None


def test_htmx_comment_appears_with_a_fresh_form_and_new_count(alice_client, alice, post):
    response = alice_client.post(post_url("comments", post), {"body": "Nice one"}, **HX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    comment = Comment.objects.get()
    assert f'hx-swap-oob="beforeend:#comments-{post.pk}"' in html
    assert f'id="comment-{comment.pk}"' in html and "Nice one" in html
    assert f'id="comment-count-{post.pk}" hx-swap-oob="true"><a href="/p/{post.pk}/#comments">1 comment</a>' in html
    assert f'id="comment-form-{post.pk}"' in html and "field__errors" not in html


@pytest.mark.parametrize("body", ["", "   ", "x" * 2201])
def test_empty_or_overlong_comment_shows_an_inline_error_and_saves_nothing(alice_client, post, body):
    response = alice_client.post(post_url("comments", post), {"body": body}, **HX)
    html = response.content.decode()
    assert response.status_code == 200  # htmx swaps 2xx only: the error must be visible
    assert 'role="alert"' in html and "comment-form__error" in html
    assert ("Write something" in html) or ("at most 2,200" in html)
    assert not Comment.objects.exists()
    post.refresh_from_db()
    assert post.comment_count == 0


def test_no_js_empty_comment_redirects_back_with_a_message(alice_client, post):
    response = alice_client.post(post_url("comments", post), {"body": "", "next": post.get_absolute_url()}, follow=False)
    assert response.status_code == 302 and response["Location"].startswith(post.get_absolute_url())
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("Write something" in m for m in messages)
    assert not Comment.objects.exists()


def test_no_js_comment_redirects_to_the_new_comment(alice_client, post):
    response = alice_client.post(post_url("comments", post), {"body": "plain", "next": post.get_absolute_url()})
    comment = Comment.objects.get()
    assert response["Location"] == f"{post.get_absolute_url()}#comment-{comment.pk}"


def test_hostile_comment_is_escaped(alice_client, post):
    response = alice_client.post(post_url("comments", post), {"body": '<script>alert("x")</script><img src=x onerror=1>'}, **HX)
    html = response.content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html


def test_delete_someone_elses_comment_on_their_post_is_403(client, alice, bob, charlie, post):
    comment = services.comment_create(user=bob, post_id=post.pk, body="author's own")
    client.force_login(charlie)
    response = client.post(post_url("comment_delete", post, comment_id=comment.pk), **HX)
    assert response.status_code == 403
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_delete_a_comment_on_your_own_post_works(client, alice, bob, post):
    comment = services.comment_create(user=alice, post_id=post.pk, body="spam")
    client.force_login(bob)
    response = client.post(post_url("comment_delete", post, comment_id=comment.pk), **HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="comment-count-{post.pk}" hx-swap-oob="true">No comments yet<' in html
    assert not Comment.objects.exists()


def test_no_js_delete_own_comment_redirects_back(alice_client, alice, post):
    comment = services.comment_create(user=alice, post_id=post.pk, body="oops")
    response = alice_client.post(post_url("comment_delete", post, comment_id=comment.pk), {"next": post.get_absolute_url()})
    assert response.status_code == 302 and not Comment.objects.exists()


def test_comments_load_more_page(client, alice, post):
    for i in range(25):
        services.comment_create(user=alice, post_id=post.pk, body=f"comment number {i}")
    first = selectors.comments_page(None, post)
    response = client.get(post_url("comments", post) + f"?cursor={first.next_cursor}", **HX)
    html = response.content.decode()
    assert "<html" not in html
    assert "comment number 20" in html and "comment number 24" in html and "comment number 19" not in html
    assert "Load more comments" not in html
    # without JS the same URL is a full page
    assert "<html" in client.get(post_url("comments", post)).content.decode()


def test_comments_page_with_a_garbage_cursor_is_400(client, post):
    assert client.get(post_url("comments", post) + "?cursor=%%%garbage").status_code == 400


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
    assert post_url("unlike", post) in html and post_url("unsave", post) in html
    assert f'href="{post_url("liked_by", post)}"><strong>1 like</strong>' in html
    assert html.index(f'id="comment-{own.pk}"') < html.index(f'id="comment-{other.pk}"')  # oldest first
    assert post_url("comment_delete", post, comment_id=own.pk) in html
    assert post_url("comment_delete", post, comment_id=other.pk) not in html  # not hers, not her post
    assert f'id="comment-form-{post.pk}"' in html and 'name="body"' in html
    assert 'class="caption__mention" href="/charlie/"' in html
    # the post's author may delete every comment
    html = _render_detail(bob, post)
    assert post_url("comment_delete", post, comment_id=other.pk) in html


def test_detail_comments_load_more_link_when_there_are_more(alice, post):
    for i in range(selectors.COMMENTS_PAGE_SIZE + 1):
        services.comment_create(user=alice, post_id=post.pk, body=f"c{i}")
    html = _render_detail(alice, post)
    assert "Load more comments" in html and html.count('class="comment"') == selectors.COMMENTS_PAGE_SIZE


def test_comments_section_fragment_for_late_loading(client, alice, post):
    services.comment_create(user=alice, post_id=post.pk, body="late")
    html = client.get(post_url("comments", post) + "?section=1", **HX).content.decode()
    assert html.lstrip().startswith('<section class="comments" id="comments"') and "late" in html


def test_post_detail_page_shows_the_viewers_like_and_comments(alice_client, alice, post):
    services.like_create(user=alice, post_id=post.pk)
    services.comment_create(user=alice, post_id=post.pk, body="server-rendered")
    html = alice_client.get(post.get_absolute_url()).content.decode()
    assert post_url("unlike", post) in html
    assert "server-rendered" in html


def test_anonymous_htmx_comment_gets_hx_redirect_and_nothing_saved(client, post):
    response = client.post(post_url("comments", post), {"body": "hi"}, HTTP_HX_CURRENT_URL=f"http://testserver/p/{post.pk}/", **HX)
    assert response["HX-Redirect"] == reverse("account_login") + f"?next=/p/{post.pk}/"
    assert not Comment.objects.exists()
