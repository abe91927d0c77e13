"""Stories and moderation: members report a story through the report page; the queue and the report's
page show it; moderators hide it like a post (it leaves everyone else's trays and viewers; its author
sees it with a notice); an expired story with
an open report waits for the moderators, and the handled reports stay on its author once it goes;
suspending the author actions them; a purged author's story reports are kept."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.services import account_purge, follow_create
from accounts.tests.factories import UserFactory
from posts.stories.expiry import stories_expired_delete
from posts.stories.models import Story
from posts.stories.selectors import story_tray
from posts.stories.services import story_create
from posts.tests.factories import jpeg
from social.models import Report
from social.moderation import report_create, report_dismiss, story_hide, story_unhide, user_suspend

CHANGELIST = "/admin/social/report/"


def _story(author):
    return story_create(author=author, upload=jpeg("story.jpg", size=(90, 160)), alt_text="A beach")


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _expire(story):
    Story.objects.filter(pk=story.pk).update(expires_at=timezone.now() - timedelta(hours=1))


@pytest.mark.django_db
def test_a_member_reports_a_story_through_the_report_page(alice, bob):
    story = _story(alice)
    client = _client(bob)

    page = client.get(f"/report/story/{story.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and "Report story" in html and "@alice's story?" in html
    assert 'class="report-story__thumb"' in html and 'alt="A beach"' in html
    response = client.post(f"/report/story/{story.pk}/", {"reason": Report.Reason.SPAM})

    assert response.status_code == 200 and "Thanks for letting us know" in response.content.decode()
    report = Report.objects.get()
    assert (report.story_id, report.reporter_id, report.status) == (story.pk, bob.pk, "open")
    again = client.post(f"/report/story/{story.pk}/", {"reason": Report.Reason.SPAM})
    assert "already reported" in again.content.decode() and Report.objects.count() == 1


@pytest.mark.django_db
def test_reporting_a_story_one_may_not_see_is_404_and_ones_own_is_refused(alice, bob, charlie):
    dana = UserFactory(username="dana", private=True)
    private = _story(dana)
    expired = _story(charlie)
    _expire(expired)
    hidden = _story(charlie)
    Story.objects.filter(pk=hidden.pk).update(is_hidden=True)
    client = _client(bob)
    for story in (private, expired, hidden):
        assert client.get(f"/report/story/{story.pk}/").status_code == 404
        assert client.post(f"/report/story/{story.pk}/", {"reason": "spam"}).status_code == 404
    assert client.get("/report/story/999999/").status_code == 404
    own = _story(bob)
    response = client.post(f"/report/story/{own.pk}/", {"reason": "spam"})
    assert response.status_code == 400 and "You can&#x27;t report yourself" in response.content.decode()
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_a_hidden_story_leaves_everyone_elses_trays_and_viewers(alice, bob, charlie, moderator):
    follow_create(follower=bob, followee=alice)
    story = _story(alice)
    report_create(reporter=bob, target=story, reason=Report.Reason.SPAM)

    assert story_hide(moderator=moderator, story=story, notes="spam") is True

    assert story_tray(bob).rings == []
    assert _client(bob).get("/stories/alice/").status_code == 404
    assert _client(charlie).get(f"/report/story/{story.pk}/").status_code == 404
    # its author still sees it, with a notice (as a hidden post)
    assert story_tray(alice).own.count == 1
    own = _client(alice).get("/stories/alice/")
    assert own.status_code == 200 and "Hidden by moderators. Only you can see it." in own.content.decode()
    assert Report.objects.get().status == Report.Status.ACTIONED
    assert story_unhide(moderator=moderator, story=story) is True
    assert [r.person.username for r in story_tray(bob).rings] == ["alice"]


@pytest.mark.django_db
def test_the_queue_and_the_reports_page_show_a_reported_story_and_hide_it(alice, bob, moderator):
    story = _story(alice)
    report = report_create(reporter=bob, target=story, reason=Report.Reason.NUDITY).report
    client = _client(moderator)

    queue = client.get(f"{CHANGELIST}?target=story").content.decode()
    assert "Image story" in queue and "@alice" in queue and story.file.rsplit("/", 1)[1] in queue
    page = client.get(f"{CHANGELIST}{report.pk}/change/").content.decode()
    assert "Reported story, as its viewers saw it" in page and 'alt="A beach"' in page
    assert 'value="hide_content"' in page and 'value="delete_content"' not in page

    response = client.post(f"{CHANGELIST}{report.pk}/moderate/", {"action": "hide_content", "notes": "nudity"})

    assert response.status_code == 302
    story.refresh_from_db()
    report.refresh_from_db()
    assert story.is_hidden and report.status == Report.Status.ACTIONED and "Story hidden: nudity" in report.notes
    page = client.get(f"{CHANGELIST}{report.pk}/change/").content.decode()
    assert "Story hidden by moderators" in page and 'value="unhide_content"' in page


@pytest.mark.django_db
def test_a_story_is_not_deleted_from_the_queue(alice, bob, moderator):
    story = _story(alice)
    report = report_create(reporter=bob, target=story, reason=Report.Reason.SPAM).report
    client = _client(moderator)
    response = client.post(CHANGELIST, {"action": "delete_content", "_selected_action": [report.pk]}, follow=True)
    assert "goes by itself when it expires" in response.content.decode()
    assert Story.objects.filter(pk=story.pk).exists()


@pytest.mark.django_db
def test_superusers_hide_stories_from_the_story_admin(alice, superuser):
    story = _story(alice)
    client = _client(superuser)
    listing = client.get("/admin/posts/story/")
    assert listing.status_code == 200 and "alice" in listing.content.decode()
    client.post("/admin/posts/story/", {"action": "hide_selected", "_selected_action": [story.pk]})
    story.refresh_from_db()
    assert story.is_hidden
    assert client.get(f"/admin/posts/story/{story.pk}/delete/").status_code == 403


@pytest.mark.django_db
def test_an_open_report_keeps_an_expired_story_until_it_is_handled(alice, bob, moderator, media_root):
    story = _story(alice)
    report = report_create(reporter=bob, target=story, reason=Report.Reason.HARASSMENT).report
    _expire(story)

    assert stories_expired_delete() == 0
    assert Story.objects.filter(pk=story.pk).exists() and (media_root / story.file).exists()
    assert not Story.objects.visible_to(bob).exists()  # kept, but expired for everyone

    report_dismiss(moderator=moderator, reports=[report])
    assert stories_expired_delete() == 1

    assert not Story.objects.exists() and not (media_root / story.file).exists()
    report.refresh_from_db()  # the handled report stays, on the author
    assert (report.story_id, report.user_id, report.status) == (None, alice.pk, Report.Status.DISMISSED)
    assert f"Story {story.pk} expired and was deleted" in report.notes


@pytest.mark.django_db
def test_suspending_the_author_actions_the_reports_of_their_stories(alice, bob, moderator):
    story = _story(alice)
    report = report_create(reporter=bob, target=story, reason=Report.Reason.SPAM).report
    user_suspend(moderator=moderator, user=alice)
    report.refresh_from_db()
    assert report.status == Report.Status.ACTIONED
    assert not Story.objects.visible_to(bob).exists()


@pytest.mark.django_db
def test_a_purged_authors_story_reports_are_kept_without_their_story(alice, bob):
    story = _story(alice)
    report = report_create(reporter=bob, target=story, reason=Report.Reason.SPAM).report
    account_purge(user_id=alice.pk, now=True)
    report.refresh_from_db()
    assert report.target_deleted and report.story_id is None and "Account deleted" in report.notes
    assert not Story.objects.exists()
    from django.core.management import call_command

    call_command("check_counters", stdout=io.StringIO())
