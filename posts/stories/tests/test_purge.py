"""A purged account's stories and story views go with it (posts/services/purge.py), with their files;
others' view counts drop by the views that went. (The reports on a purged person's story are
social's: social/tests/test_story_moderation.py.)"""

from __future__ import annotations

import pytest

from accounts.services import account_deletion_request, account_purge
from accounts.services.deletion import rows_referencing_user
from instaclone.testing import stored_files
from posts.stories.models import Story, StoryView
from posts.stories.services import story_create, story_views_record


@pytest.mark.django_db
def test_a_purge_takes_the_persons_stories_views_and_files(alice, bob, charlie, media_root, make_story, video_of, settings):
    settings.ACCOUNT_DELETION_GRACE_DAYS = 0
    hers = [make_story(alice), story_create(author=alice, upload=video_of(1))]
    bobs = make_story(bob)
    story_views_record(viewer=alice, story_ids=[bobs.pk])  # her view of his story
    story_views_record(viewer=charlie, story_ids=[bobs.pk])
    story_views_record(viewer=bob, story_ids=[s.pk for s in hers])  # his views of hers
    her_files = {name for s in Story.objects.filter(author=alice) for name in Story.stored_names(s.file, s.poster, s.renditions)}
    assert len(her_files) == 3  # the photo, the web video and its poster
    account_deletion_request(user=alice)

    result = account_purge(user_id=alice.pk)

    assert result.purged and result.left_for_cascade == {} and rows_referencing_user(alice.pk) == {}
    assert list(Story.objects.values_list("pk", flat=True)) == [bobs.pk]
    assert list(StoryView.objects.values_list("viewer_id", flat=True)) == [charlie.pk]
    bobs.refresh_from_db()
    assert bobs.view_count == 1  # her view went
    assert not her_files & set(stored_files(media_root))
    assert bobs.file in stored_files(media_root)


@pytest.mark.django_db
def test_a_deactivated_account_s_stories_disappear_at_once(alice, bob, make_story):
    from django.test import Client

    story = make_story(alice)
    account_deletion_request(user=alice)

    assert not Story.objects.visible_to(bob).filter(pk=story.pk).exists()
    client = Client()
    client.force_login(bob)
    assert client.get("/stories/alice/").status_code == 404
