"""social.moderation services: reports, hide/unhide, delete, suspend/reinstate, and their audit
trail (on the report and in the admin log)."""

import pytest
from allauth.usersessions.models import UserSession
from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import Client

from accounts.models import User
from accounts.tests.factories import BlockFactory
from instaclone.testing import DEFAULT_PASSWORD
from posts.models import Comment, Post
from posts.tests.factories import CommentFactory, PostFactory
from social import moderation
from social.models import Report

from .moderation_support import make_moderator

pytestmark = pytest.mark.django_db


# --- report_create ------------------------------------------------------------------------------


def test_report_create_files_an_open_report(alice, bob):
    post = PostFactory(author=alice)
    result = moderation.report_create(reporter=bob, target=post, reason="spam")
    assert result.created
    report = Report.objects.get()
    assert (report.reporter, report.post, report.status, report.reason) == (bob, post, "open", "spam")


def test_repeated_report_of_same_target_collapses_into_one(alice, bob):
    post = PostFactory(author=alice)
    first = moderation.report_create(reporter=bob, target=post, reason="spam")
    second = moderation.report_create(reporter=bob, target=post, reason="nudity")
    assert not second.created
    assert second.report.pk == first.report.pk
    assert Report.objects.count() == 1


def test_two_reporters_of_one_target_make_two_reports(alice, bob, charlie):
    post = PostFactory(author=alice)
    moderation.report_create(reporter=bob, target=post, reason="spam")
    moderation.report_create(reporter=charlie, target=post, reason="spam")
    assert Report.objects.filter(post=post).count() == 2


def test_report_again_after_the_first_was_handled_opens_a_new_one(alice, bob, moderator):
    post = PostFactory(author=alice)
    first = moderation.report_create(reporter=bob, target=post, reason="spam").report
    moderation.report_dismiss(moderator=moderator, reports=[first])
    again = moderation.report_create(reporter=bob, target=post, reason="spam")
    assert again.created and again.report.pk != first.pk


@pytest.mark.parametrize("kind", ["user", "post", "comment"])
def test_cannot_report_yourself_or_your_own_content(alice, bob, kind):
    post = PostFactory(author=alice)
    target = {"user": alice, "post": post, "comment": CommentFactory(author=alice, post=post)}[kind]
    with pytest.raises(moderation.ModerationError) as exc:
        moderation.report_create(reporter=alice, target=target, reason="spam")
    assert exc.value.status == 400
    assert not Report.objects.exists()


def test_unknown_reason_is_a_validation_error(alice, bob):
    with pytest.raises(ValidationError):
        moderation.report_create(reporter=bob, target=alice, reason="boring")
    assert not Report.objects.exists()


def test_other_reason_needs_text(alice, bob):
    with pytest.raises(ValidationError) as exc:
        moderation.report_create(reporter=bob, target=alice, reason="other", text="   ")
    assert "text" in exc.value.message_dict
    moderation.report_create(reporter=bob, target=alice, reason="other", text="impersonates me")
    assert Report.objects.get().text == "impersonates me"


def test_reports_are_rate_limited_per_reporter(alice, bob, charlie, settings, monkeypatch):
    monkeypatch.setattr(moderation, "REPORT_RATE_LIMIT", 3)
    posts = [PostFactory(author=alice, caption=f"p{i}") for i in range(4)]
    for post in posts[:3]:
        moderation.report_create(reporter=bob, target=post, reason="spam")
    with pytest.raises(moderation.ReportRateLimited) as exc:
        moderation.report_create(reporter=bob, target=posts[3], reason="spam")
    assert exc.value.status == 429
    # a repeat of an open report is not a new report, so it is not refused
    assert not moderation.report_create(reporter=bob, target=posts[0], reason="spam").created
    # other reporters have their own window
    moderation.report_create(reporter=charlie, target=posts[3], reason="spam")
    assert Report.objects.count() == 4


# --- report_target_get: the visibility rule ------------------------------------------------------


def test_target_of_a_private_account_you_do_not_follow_is_404(alice, bob):
    alice.is_private = True
    alice.save()
    post = PostFactory(author=alice)
    with pytest.raises(Http404):
        moderation.report_target_get(viewer=bob, kind="post", pk=post.pk)
    # the profile itself is visible (only blocks and suspension hide it)
    assert moderation.report_target_get(viewer=bob, kind="user", pk=alice.pk) == alice


def test_target_behind_a_block_is_404(alice, bob):
    BlockFactory(blocker=alice, blocked=bob)
    post = PostFactory(author=alice)
    comment = CommentFactory(author=alice, post=post)
    for kind, pk in (("post", post.pk), ("comment", comment.pk), ("user", alice.pk)):
        with pytest.raises(Http404):
            moderation.report_target_get(viewer=bob, kind=kind, pk=pk)


def test_hidden_or_missing_targets_are_404(alice, bob):
    post = PostFactory(author=alice, hidden=True)
    with pytest.raises(Http404):
        moderation.report_target_get(viewer=bob, kind="post", pk=post.pk)
    with pytest.raises(Http404):
        moderation.report_target_get(viewer=bob, kind="post", pk=999999)
    with pytest.raises(Http404):
        moderation.report_target_get(viewer=bob, kind="story", pk=1)


def test_comment_on_an_invisible_post_is_404(alice, bob, charlie):
    comment = CommentFactory(author=charlie, post=PostFactory(author=alice))  # while alice was public
    alice.is_private = True
    alice.save()
    with pytest.raises(Http404):
        moderation.report_target_get(viewer=bob, kind="comment", pk=comment.pk)


# --- hide / unhide --------------------------------------------------------------------------------


def _log(obj):
    from django.contrib.contenttypes.models import ContentType

    return LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))


def test_post_hide_actions_open_reports_and_logs(alice, bob, charlie, moderator):
    post = PostFactory(author=alice)
    r1 = moderation.report_create(reporter=bob, target=post, reason="spam").report
    r2 = moderation.report_create(reporter=charlie, target=post, reason="nudity").report
    assert moderation.post_hide(moderator=moderator, post=post, notes="clear spam")
    post.refresh_from_db()
    assert post.is_hidden
    for report in (r1, r2):
        report.refresh_from_db()
        assert report.status == Report.Status.ACTIONED
        assert report.handled_by == moderator and report.handled_at is not None
        assert "Post hidden: clear spam" in report.notes
        assert _log(report).filter(action_flag=CHANGE, user=moderator).exists()
    entry = _log(post).get()
    assert entry.user == moderator and "Post hidden" in entry.change_message


def test_post_unhide_reverses_and_dismisses_the_reports(alice, bob, moderator):
    post = PostFactory(author=alice)
    report = moderation.report_create(reporter=bob, target=post, reason="spam").report
    moderation.post_hide(moderator=moderator, post=post)
    moderation.post_unhide(moderator=moderator, post=post, notes="appeal accepted")
    post.refresh_from_db()
    report.refresh_from_db()
    assert not post.is_hidden
    assert report.status == Report.Status.DISMISSED
    assert "Post hidden" in report.notes and "Post unhidden: appeal accepted" in report.notes
    assert _log(post).count() == 2


def test_hiding_twice_changes_nothing_the_second_time(alice, moderator):
    post = PostFactory(author=alice)
    assert moderation.post_hide(moderator=moderator, post=post) is True
    assert moderation.post_hide(moderator=moderator, post=post) is False


def test_comment_hide_and_unhide(alice, bob, moderator):
    comment = CommentFactory(author=bob, post=PostFactory(author=alice))
    report = moderation.report_create(reporter=alice, target=comment, reason="harassment").report
    moderation.comment_hide(moderator=moderator, comment=comment)
    comment.refresh_from_db()
    report.refresh_from_db()
    assert comment.is_hidden and report.status == Report.Status.ACTIONED
    moderation.comment_unhide(moderator=moderator, comment=comment)
    comment.refresh_from_db()
    assert not comment.is_hidden


def test_report_dismiss_leaves_content_alone(alice, bob, moderator):
    post = PostFactory(author=alice)
    report = moderation.report_create(reporter=bob, target=post, reason="spam").report
    assert moderation.report_dismiss(moderator=moderator, reports=[report], notes="fine") == 1
    report.refresh_from_db()
    post.refresh_from_db()
    assert report.status == Report.Status.DISMISSED and "Dismissed: fine" in report.notes
    assert not post.is_hidden
    # dismissing again does nothing
    assert moderation.report_dismiss(moderator=moderator, reports=[report]) == 0


# --- delete -------------------------------------------------------------------------------------


def test_content_delete_post_keeps_the_report_on_the_author(alice, bob, moderator):
    post = PostFactory(author=alice, caption="buy followers now")
    report = moderation.report_create(reporter=bob, target=post, reason="spam").report
    post_pk = post.pk
    moderation.content_delete(moderator=moderator, post=post, notes="spam")
    assert not Post.objects.filter(pk=post_pk).exists()
    alice.refresh_from_db()
    assert alice.post_count == 0
    report.refresh_from_db()
    assert report.post_id is None and report.user_id == alice.pk
    assert report.status == Report.Status.ACTIONED
    assert f"Post {post_pk} deleted" in report.notes and "buy followers now" in report.notes
    assert LogEntry.objects.filter(action_flag=DELETION, object_id=str(post_pk), user=moderator).exists()


def test_content_delete_comment_decrements_the_post_counter(alice, bob, moderator):
    post = PostFactory(author=alice)
    comment = CommentFactory(author=bob, post=post, body="rude words")
    moderation.report_create(reporter=alice, target=comment, reason="harassment")
    moderation.content_delete(moderator=moderator, comment=comment)
    assert not Comment.objects.exists()
    post.refresh_from_db()
    assert post.comment_count == 0
    report = Report.objects.get()
    assert report.user_id == bob.pk and "rude words" in report.notes


def test_content_delete_when_reporter_also_reported_the_author_keeps_both(alice, bob, moderator):
    post = PostFactory(author=alice)
    moderation.report_create(reporter=bob, target=alice, reason="spam")
    moderation.report_create(reporter=bob, target=post, reason="spam")
    moderation.content_delete(moderator=moderator, post=post)
    assert Report.objects.filter(user=alice).count() == 2
    assert Report.objects.filter(user=alice, status="open").count() == 1


# --- suspend / reinstate ------------------------------------------------------------------------


def _sign_in(client, username):
    response = client.post("/accounts/login/", {"login": username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    return client.session.session_key


def test_user_suspend_deactivates_ends_sessions_and_actions_reports(alice, bob, moderator):
    laptop, phone = Client(), Client()
    keys = [_sign_in(laptop, "alice"), _sign_in(phone, "alice")]
    assert UserSession.objects.filter(user=alice).count() == 2
    post = PostFactory(author=alice)
    r_post = moderation.report_create(reporter=bob, target=post, reason="spam").report
    r_user = moderation.report_create(reporter=bob, target=alice, reason="spam").report

    assert moderation.user_suspend(moderator=moderator, user=alice, notes="spam ring")

    alice.refresh_from_db()
    assert not alice.is_active
    assert not Session.objects.filter(session_key__in=keys).exists()
    assert "_auth_user_id" not in laptop.session
    assert not UserSession.objects.filter(user=alice).exists()
    for report in (r_post, r_user):
        report.refresh_from_db()
        assert report.status == Report.Status.ACTIONED
        assert "Account @alice suspended: spam ring" in report.notes
    assert _log(alice).filter(user=moderator).exists()


def test_user_reinstate_reactivates_and_logs(alice, bob, moderator):
    report = moderation.report_create(reporter=bob, target=alice, reason="spam").report
    moderation.user_suspend(moderator=moderator, user=alice)
    assert moderation.user_reinstate(moderator=moderator, user=alice, notes="mistake")
    alice.refresh_from_db()
    report.refresh_from_db()
    assert alice.is_active
    assert report.status == Report.Status.DISMISSED and "reinstated: mistake" in report.notes
    assert _log(alice).count() == 2


def test_cannot_suspend_yourself_or_staff(alice, moderator):
    other_mod = make_moderator("mod2")
    with pytest.raises(moderation.ModerationError):
        moderation.user_suspend(moderator=moderator, user=moderator)
    with pytest.raises(moderation.ModerationError):
        moderation.user_suspend(moderator=moderator, user=other_mod)
    assert User.objects.filter(is_active=False).count() == 0


def test_reinstating_an_account_that_was_never_suspended_leaves_the_audit_trail(alice, bob, moderator):
    post = PostFactory(author=alice)
    report = moderation.report_create(reporter=bob, target=post, reason="spam").report
    moderation.content_delete(moderator=moderator, post=post)
    report.refresh_from_db()
    before = (report.status, report.notes)
    assert moderation.user_reinstate(moderator=moderator, user=alice) is False
    report.refresh_from_db()
    assert (report.status, report.notes) == before
