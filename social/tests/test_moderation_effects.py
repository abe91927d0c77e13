"""What hiding and suspending do, everywhere, through the one visibility rule. Each surface is
tested as it exists (see docs/moderation.md for the list)."""

import pytest
from django.test import Client

from instaclone.testing import DEFAULT_PASSWORD
from posts.tests.factories import CommentFactory, PostFactory
from social import moderation
from social.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db


def _login_form(client, username):
    return client.post("/accounts/login/", {"login": username, "password": DEFAULT_PASSWORD})


# --- suspension -------------------------------------------------------------------------------------


def test_suspended_account_cannot_sign_in_and_is_told_why(client, alice, moderator):
    moderation.user_suspend(moderator=moderator, user=alice)
    response = _login_form(client, "alice")
    assert response.status_code == 302 and response["Location"] == "/accounts/inactive/"
    page = client.get(response["Location"])
    assert "Your account has been suspended" in page.content.decode()
    assert "_auth_user_id" not in client.session


def test_suspended_account_with_wrong_password_gets_the_usual_error(client, alice, moderator):
    moderation.user_suspend(moderator=moderator, user=alice)
    response = client.post("/accounts/login/", {"login": "alice", "password": "wrong-password-1"})
    assert response.status_code == 200
    assert "suspended" not in response.content.decode()


def test_a_signed_in_client_is_signed_out_on_its_next_request(alice, moderator):
    browser = Client()
    assert _login_form(browser, "alice").status_code == 302
    assert browser.get("/settings/profile/").status_code == 200
    moderation.user_suspend(moderator=moderator, user=alice)
    response = browser.get("/settings/profile/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_force_logged_in_session_without_a_usersession_row_still_ends(client, alice, moderator):
    client.force_login(alice)
    moderation.user_suspend(moderator=moderator, user=alice)
    response = client.get("/settings/profile/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_suspended_profile_and_posts_disappear_and_reinstating_restores_them(client, alice, bob, moderator):
    post = PostFactory(author=alice, caption="hello from alice")
    client.force_login(bob)
    assert client.get("/alice/").status_code == 200
    assert client.get(f"/p/{post.pk}/").status_code == 200
    moderation.user_suspend(moderator=moderator, user=alice)
    assert client.get("/alice/").status_code == 404
    assert client.get(f"/p/{post.pk}/").status_code == 404
    moderation.user_reinstate(moderator=moderator, user=alice)
    assert client.get("/alice/").status_code == 200
    assert client.get(f"/p/{post.pk}/").status_code == 200
    assert _login_form(Client(), "alice").status_code == 302


def test_suspended_authors_comments_disappear(client, alice, bob, moderator):
    post = PostFactory(author=alice)
    CommentFactory(author=bob, post=post, body="a comment from bob")
    client.force_login(alice)
    assert "a comment from bob" in client.get(f"/p/{post.pk}/comments/").content.decode()
    moderation.user_suspend(moderator=moderator, user=bob)
    assert "a comment from bob" not in client.get(f"/p/{post.pk}/comments/").content.decode()


# --- hidden posts ---------------------------------------------------------------------------------------


def test_hidden_post_is_404_by_direct_link_for_others_but_not_staff(client, alice, bob, moderator):
    post = PostFactory(author=alice, caption="hidden caption")
    moderation.post_hide(moderator=moderator, post=post)
    client.force_login(bob)
    assert client.get(f"/p/{post.pk}/").status_code == 404
    assert Client().get(f"/p/{post.pk}/").status_code == 404
    staff = Client()
    staff.force_login(moderator)
    assert staff.get(f"/p/{post.pk}/").status_code == 200


def test_author_sees_a_hidden_by_moderators_notice(client, alice, moderator):
    post = PostFactory(author=alice, caption="my hidden post")
    moderation.post_hide(moderator=moderator, post=post)
    client.force_login(alice)
    response = client.get(f"/p/{post.pk}/")
    assert response.status_code == 200
    assert "hidden by moderators" in response.content.decode().lower()


def test_hidden_post_vanishes_from_the_profile_grid(client, alice, bob, moderator):
    visible = PostFactory(author=alice, caption="still here")
    hidden = PostFactory(author=alice, caption="gone now")
    moderation.post_hide(moderator=moderator, post=hidden)
    client.force_login(bob)
    html = client.get("/p/u/alice/grid/").content.decode() + client.get("/alice/").content.decode()
    assert f"/p/{visible.pk}/" in html
    assert f"/p/{hidden.pk}/" not in html


def test_hidden_post_vanishes_from_the_feed(client, alice, bob, moderator):
    from accounts.services import graph

    shown = PostFactory(author=alice, caption="feed keeps this")
    hidden = PostFactory(author=alice, caption="feed drops this")
    graph.follow_create(follower=bob, followee=alice)  # backfills bob's feed with both
    client.force_login(bob)
    html = client.get("/").content.decode()
    assert f"/p/{shown.pk}/" in html and f"/p/{hidden.pk}/" in html
    moderation.post_hide(moderator=moderator, post=hidden)
    html = client.get("/").content.decode()
    assert f"/p/{shown.pk}/" in html
    assert f"/p/{hidden.pk}/" not in html and "feed drops this" not in html


def test_hidden_post_vanishes_from_explore_and_hashtag(client, alice, bob, moderator):
    shown = PostFactory(author=alice, caption="#sunset one")  # the service tags both #sunset
    hidden = PostFactory(author=alice, caption="#sunset two")
    moderation.post_hide(moderator=moderator, post=hidden)
    client.force_login(bob)
    for url in ("/explore/", "/explore/tags/sunset/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert f"/p/{hidden.pk}/" not in response.content.decode(), url
    assert f"/p/{shown.pk}/" in client.get("/explore/tags/sunset/").content.decode()
    assert f"/p/{shown.pk}/" in client.get("/explore/").content.decode()


def test_hidden_comment_vanishes_from_the_comment_list(client, alice, bob, moderator):
    post = PostFactory(author=alice)
    comment = CommentFactory(author=bob, post=post, body="nasty remark")
    CommentFactory(author=bob, post=post, body="kind remark")
    moderation.comment_hide(moderator=moderator, comment=comment)
    client.force_login(alice)
    html = client.get(f"/p/{post.pk}/comments/").content.decode()
    assert "kind remark" in html and "nasty remark" not in html
    assert "nasty remark" not in client.get(f"/p/{post.pk}/").content.decode()


def test_suspended_account_vanishes_from_search_and_reappears(client, alice, bob, moderator):
    client.force_login(bob)
    assert "/alice/" in client.get("/search/?q=ali").content.decode()
    moderation.user_suspend(moderator=moderator, user=alice)
    assert "/alice/" not in client.get("/search/?q=ali").content.decode()
    moderation.user_reinstate(moderator=moderator, user=alice)
    assert "/alice/" in client.get("/search/?q=ali").content.decode()


def test_hidden_content_and_suspended_actors_vanish_from_notifications(client, alice, bob, charlie, moderator):

    post = PostFactory(author=alice, caption="mentions @bob")
    comment = CommentFactory(author=charlie, post=PostFactory(author=bob), body="hey bob")
    NotificationFactory(recipient=bob, actor=alice, kind="mention", post=post)
    NotificationFactory(recipient=bob, actor=charlie, kind="comment", post=comment.post, comment=comment)
    client.force_login(bob)
    html = client.get("/notifications/").content.decode()
    assert 'data-kind="mention"' in html and 'data-kind="comment"' in html
    moderation.post_hide(moderator=moderator, post=post)
    moderation.comment_hide(moderator=moderator, comment=comment)
    html = client.get("/notifications/").content.decode()
    assert 'data-kind="mention"' not in html and 'data-kind="comment"' not in html
    moderation.comment_unhide(moderator=moderator, comment=comment)
    assert 'data-kind="comment"' in client.get("/notifications/").content.decode()
    moderation.user_suspend(moderator=moderator, user=charlie)
    assert 'data-kind="comment"' not in client.get("/notifications/").content.decode()
