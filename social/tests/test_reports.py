"""The report dialog/page at /report/<kind>/<id>/."""

import pytest

from accounts.tests.factories import BlockFactory
from posts.tests.factories import CommentFactory, PostFactory
from social.models import Report

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def _url(kind, pk):
    return f"/report/{kind}/{pk}/"


def test_it_shows_the_reasons_as_a_page(client, alice, bob):
    post = PostFactory(author=alice)
    client.force_login(bob)
    response = client.get(_url("post", post.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html and "Report post" in html
    for label in Report.Reason.labels:
        assert label in html
    assert f'action="{_url("post", post.pk)}"' in html


def test_it_shows_only_the_dialog_to_htmx(client, alice, bob):
    client.force_login(bob)
    response = client.get(_url("user", alice.pk), **HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "<dialog" in html and "report-dialog--modal" in html
    assert "@alice" in html


def test_posting_a_reason_files_a_report_and_confirms(client, alice, bob):
    post = PostFactory(author=alice)
    client.force_login(bob)
    response = client.post(_url("post", post.pk), {"reason": "spam"})
    assert response.status_code == 200
    assert "Your report was sent" in response.content.decode()
    report = Report.objects.get()
    assert (report.reporter, report.post, report.reason) == (bob, post, "spam")


def test_htmx_post_swaps_in_the_confirmation(client, alice, bob):
    comment = CommentFactory(author=alice, post=PostFactory(author=alice))
    client.force_login(bob)
    response = client.post(_url("comment", comment.pk), {"reason": "harassment"}, **HX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "Thanks for letting us know" in html
    assert Report.objects.get().comment == comment


def test_reporting_twice_says_already_reported_and_keeps_one(client, alice, bob):
    client.force_login(bob)
    client.post(_url("user", alice.pk), {"reason": "spam"})
    response = client.post(_url("user", alice.pk), {"reason": "ip"})
    assert "already reported" in response.content.decode()
    assert Report.objects.count() == 1
    # opening the form again says so too, instead of offering the form
    html = client.get(_url("user", alice.pk)).content.decode()
    assert "already reported" in html and 'name="reason"' not in html


def test_unknown_reason_is_an_inline_error(client, alice, bob):
    client.force_login(bob)
    response = client.post(_url("user", alice.pk), {"reason": "boring"}, **HX)
    assert response.status_code == 200  # htmx swaps 2xx: the dialog shows the error in place
    assert "Choose one of the reasons." in response.content.decode()
    response = client.post(_url("user", alice.pk), {"reason": "boring"})
    assert response.status_code == 400  # the plain page says it with its status too
    assert "Choose one of the reasons." in response.content.decode()
    assert not Report.objects.exists()


def test_missing_reason_is_an_inline_error(client, alice, bob):
    client.force_login(bob)
    response = client.post(_url("user", alice.pk), {})
    assert response.status_code == 400
    assert "Choose a reason." in response.content.decode()


def test_other_without_text_is_an_inline_error(client, alice, bob):
    client.force_login(bob)
    response = client.post(_url("user", alice.pk), {"reason": "other", "text": "  "})
    assert response.status_code == 400
    assert "Tell us what is wrong." in response.content.decode()
    assert not Report.objects.exists()
    response = client.post(_url("user", alice.pk), {"reason": "other", "text": "pretends to be me"})
    assert response.status_code == 200
    assert Report.objects.get().text == "pretends to be me"


def test_text_over_the_limit_is_an_inline_error(client, alice, bob):
    client.force_login(bob)
    response = client.post(_url("user", alice.pk), {"reason": "other", "text": "x" * 1001})
    assert response.status_code == 400
    assert not Report.objects.exists()


@pytest.mark.parametrize("kind", ["user", "post", "comment"])
def test_reporting_yourself_is_400(alice_client, alice, kind):
    post = PostFactory(author=alice)
    pk = {"user": alice.pk, "post": post.pk, "comment": CommentFactory(author=alice, post=post).pk}[kind]
    assert alice_client.get(_url(kind, pk)).status_code == 400
    response = alice_client.post(_url(kind, pk), {"reason": "spam"})
    assert response.status_code == 400
    assert "report yourself" in response.content.decode()
    assert not Report.objects.exists()


def test_reporting_what_you_cannot_see_is_404(client, alice, bob, charlie):
    alice.is_private = True
    alice.save()
    post = PostFactory(author=alice)
    hidden = PostFactory(author=charlie, hidden=True)
    BlockFactory(blocker=charlie, blocked=bob)
    client.force_login(bob)
    assert client.get(_url("post", post.pk)).status_code == 404
    assert client.post(_url("post", post.pk), {"reason": "spam"}).status_code == 404
    assert client.get(_url("post", hidden.pk)).status_code == 404
    assert client.get(_url("user", charlie.pk)).status_code == 404
    assert client.get(_url("post", 424242)).status_code == 404
    assert client.get(_url("story", 1)).status_code == 404
    assert not Report.objects.exists()


def test_reporting_a_suspended_account_is_404(client, alice, bob):
    alice.is_active = False
    alice.save()
    client.force_login(bob)
    assert client.get(_url("user", alice.pk)).status_code == 404


def test_rate_limit_is_a_429_with_a_message(client, alice, bob, monkeypatch):
    from social import moderation

    monkeypatch.setattr(moderation, "REPORT_RATE_LIMIT", 1)
    posts = [PostFactory(author=alice), PostFactory(author=alice)]
    client.force_login(bob)
    assert client.post(_url("post", posts[0].pk), {"reason": "spam"}).status_code == 200
    response = client.post(_url("post", posts[1].pk), {"reason": "spam"})
    assert response.status_code == 429
    assert "a lot of reports" in response.content.decode()
    assert Report.objects.count() == 1


def test_anonymous_is_sent_to_login(client, alice):
    response = client.get(_url("user", alice.pk))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_anonymous_htmx_post_gets_hx_redirect(client, alice):
    response = client.post(_url("user", alice.pk), {"reason": "spam"}, **HX)
    assert "/accounts/login/" in response["HX-Redirect"]
    assert not Report.objects.exists()


def test_other_methods_are_405(client, alice, bob):
    client.force_login(bob)
    assert client.delete(_url("user", alice.pk)).status_code == 405


def test_report_links_appear_in_post_comment_and_profile_menus(client, alice, bob):
    post = PostFactory(author=alice)
    mine = CommentFactory(author=bob, post=post, body="bob's own comment")
    theirs = CommentFactory(author=alice, post=post, body="alice's comment")
    client.force_login(bob)
    detail = client.get(f"/p/{post.pk}/").content.decode()
    assert _url("post", post.pk) in detail
    comments = client.get(f"/p/{post.pk}/comments/").content.decode()
    assert _url("comment", theirs.pk) in comments
    assert _url("comment", mine.pk) not in comments
    assert _url("user", alice.pk) in client.get("/alice/").content.decode()


def test_no_report_links_on_your_own_post_or_profile(alice_client, alice):
    post = PostFactory(author=alice)
    assert "/report/" not in alice_client.get(f"/p/{post.pk}/").content.decode()
    assert "/report/" not in alice_client.get("/alice/").content.decode()


def test_an_absurdly_large_id_is_404_not_500(client, bob):
    client.force_login(bob)
    for kind in ("post", "comment", "user"):
        assert client.get(_url(kind, 10**30)).status_code == 404
