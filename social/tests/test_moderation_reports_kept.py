"""Reports outlive what they report when its author deletes it (Report.post, .comment and .story
cascade): posts' services announce the deletion (posts.signals.post_deleting, stories_deleting) and
social moves every report on it, open or handled, onto the author with a note. An open one stays
open about the account, unless its reporter already has an open report of that account."""

from __future__ import annotations

import pytest
from django.test import Client

from posts.models import Comment, Post
from posts.services import post_delete
from posts.stories.models import Story
from posts.stories.services import story_create, story_delete
from posts.tests.factories import CommentFactory, PostFactory, jpeg
from social import moderation
from social.models import Report

pytestmark = pytest.mark.django_db


def _story(author):
    return story_create(author=author, upload=jpeg("story.jpg", size=(90, 160)))


def test_deleting_a_reported_story_keeps_its_reports_on_the_author(alice, bob, charlie, moderator):
    story = _story(alice)
    open_report = moderation.report_create(reporter=bob, target=story, reason="harassment").report
    handled = moderation.report_create(reporter=charlie, target=story, reason="spam").report
    moderation.report_dismiss(moderator=moderator, reports=[handled])

    story_delete(story=story, by=alice)

    assert not Story.objects.exists()
    open_report.refresh_from_db()
    handled.refresh_from_db()
    assert (open_report.story_id, open_report.user_id, open_report.status) == (None, alice.pk, Report.Status.OPEN)
    assert (handled.story_id, handled.user_id, handled.status) == (None, alice.pk, Report.Status.DISMISSED)
    for report in (open_report, handled):
        assert f"Story {story.pk} was deleted by its author; the report stays on its author." in report.notes


def test_deleting_a_story_folds_its_open_report_into_the_reporters_open_report_of_the_account(alice, bob):
    story = _story(alice)
    about_alice = moderation.report_create(reporter=bob, target=alice, reason="harassment").report
    about_story = moderation.report_create(reporter=bob, target=story, reason="harassment").report

    story_delete(story=story, by=alice)

    about_alice.refresh_from_db()
    about_story.refresh_from_db()
    assert (about_alice.status, about_story.status, about_story.user_id) == ("open", "actioned", alice.pk)
    assert f"Report #{about_story.pk} (Story {story.pk} was deleted by its author) was closed into this one" in about_alice.notes
    assert f"the reporter's open report #{about_alice.pk} of the account stays open" in about_story.notes


def test_the_delete_view_keeps_the_report(alice, bob):
    story = _story(alice)
    report = moderation.report_create(reporter=bob, target=story, reason="spam").report
    client = Client()
    client.force_login(alice)
    assert client.post(f"/stories/alice/{story.pk}/delete/").status_code == 302
    report.refresh_from_db()
    assert (report.story_id, report.user_id, report.status) == (None, alice.pk, "open")


def test_an_author_deleting_a_reported_post_keeps_the_reports_on_it_and_its_comments(alice, bob, charlie, moderator):
    post = PostFactory(author=alice, caption="buy followers now")
    comment = CommentFactory(author=charlie, post=post, body="rude words")
    on_post = moderation.report_create(reporter=bob, target=post, reason="spam").report
    handled = moderation.report_create(reporter=charlie, target=post, reason="spam").report
    moderation.report_dismiss(moderator=moderator, reports=[handled])
    on_comment = moderation.report_create(reporter=bob, target=comment, reason="harassment").report

    post_delete(post=post)

    assert not Post.objects.exists() and not Comment.objects.exists()
    for report in (on_post, handled, on_comment):
        report.refresh_from_db()
    assert (on_post.post_id, on_post.user_id, on_post.status) == (None, alice.pk, "open")
    assert f"Post {post.pk} was deleted by its author (caption: “buy followers now”)" in on_post.notes
    assert (handled.user_id, handled.status) == (alice.pk, "dismissed")
    assert (on_comment.comment_id, on_comment.user_id, on_comment.status) == (None, charlie.pk, "open")
    assert f"Comment {comment.pk} was deleted with post {post.pk} (“rude words”)" in on_comment.notes


@pytest.mark.parametrize("deleter", ["its author", "the post's author"])
def test_a_deleted_comments_reports_stay_on_its_author(alice, bob, charlie, deleter):
    from posts.services import comment_delete

    post = PostFactory(author=alice)
    comment = CommentFactory(author=charlie, post=post, body="rude words")
    report = moderation.report_create(reporter=bob, target=comment, reason="harassment").report
    by = charlie if deleter == "its author" else alice

    comment_delete(user=by, post_id=post.pk, comment_id=comment.pk)

    report.refresh_from_db()
    assert not Comment.objects.exists()
    assert (report.comment_id, report.user_id, report.status) == (None, charlie.pk, "open")
    assert f"Comment {comment.pk} on post {post.pk} was deleted by {deleter} (“rude words”)" in report.notes


def test_the_post_delete_view_keeps_the_report(alice, bob):
    post = PostFactory(author=alice)
    report = moderation.report_create(reporter=bob, target=post, reason="spam").report
    client = Client()
    client.force_login(alice)
    assert client.post(f"/p/{post.pk}/delete/").status_code == 302
    report.refresh_from_db()
    assert (report.post_id, report.user_id, report.status) == (None, alice.pk, "open")


def test_a_moderators_delete_keeps_the_reports_on_the_posts_comments_too(alice, bob, charlie, moderator):
    post = PostFactory(author=alice)
    comment = CommentFactory(author=charlie, post=post, body="rude words")
    moderation.report_create(reporter=bob, target=post, reason="spam")
    on_comment = moderation.report_create(reporter=bob, target=comment, reason="harassment").report

    moderation.content_delete(moderator=moderator, post=post, notes="spam")

    on_comment.refresh_from_db()
    assert (on_comment.comment_id, on_comment.user_id) == (None, charlie.pk)
    assert Report.objects.count() == 2


def test_the_queue_and_the_preview_say_a_moved_report_was_about_a_deleted_story(alice, bob, moderator):
    story = _story(alice)
    report = moderation.report_create(reporter=bob, target=story, reason="harassment").report
    about_alice = moderation.report_create(reporter=moderator, target=alice, reason="spam").report
    story_delete(story=story, by=alice)
    client = Client()
    client.force_login(moderator)

    queue = client.get("/admin/social/report/").content.decode()
    assert "@alice: Story deleted" in queue
    page = client.get(f"/admin/social/report/{report.pk}/change/").content.decode()
    assert "account (story deleted)" in page  # its type
    assert "Reported story, deleted since: its author's account" in page
    assert f"Story {story.pk} was deleted by its author; the report stays on its author" in page
    plain = client.get(f"/admin/social/report/{about_alice.pk}/change/").content.decode()
    assert "Reported account, as its viewers saw it" in plain  # a report of the account itself
