"""Reads for stories: the tray, one person's stories, the viewers list (posts.stories.selectors)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.http import Http404

from accounts.services import block_create, follow_create
from accounts.tests.factories import UserFactory
from posts.stories.models import Story
from posts.stories.selectors import person_stories, story_get_for_author, story_tray, story_viewers_page
from posts.stories.services import story_views_record


def _older(story, minutes):
    Story.objects.filter(pk=story.pk).update(created=story.created - timedelta(minutes=minutes))


@pytest.mark.django_db
def test_the_tray_puts_you_first_then_unseen_then_seen_newest_first(alice, bob, charlie, make_story):
    dora, erin = UserFactory(username="dora"), UserFactory(username="erin")
    for person in (bob, charlie, dora, erin):
        follow_create(follower=alice, followee=person)
    seen_new = make_story(charlie)
    unseen_old = make_story(bob)
    _older(unseen_old, 30)
    make_story(dora)  # unseen, the newest
    seen_old = make_story(erin)
    _older(seen_old, 60)
    mine = make_story(alice)
    _older(mine, 90)
    story_views_record(viewer=alice, story_ids=[seen_new.pk, seen_old.pk])
    make_story(UserFactory(username="stranger"))  # not followed: not in the tray

    tray = story_tray(alice)

    assert tray.own.person.username == "alice" and tray.own.count == 1
    assert [(r.person.username, r.seen) for r in tray.rings] == [
        ("dora", False), ("bob", False), ("charlie", True), ("erin", True),
    ]


@pytest.mark.django_db
def test_a_ring_is_unseen_while_one_of_its_stories_is(alice, bob, make_story):
    follow_create(follower=alice, followee=bob)
    first, second = make_story(bob), make_story(bob)
    story_views_record(viewer=alice, story_ids=[first.pk])

    (ring,) = story_tray(alice).rings

    assert (ring.count, ring.unseen, ring.seen) == (2, 1, False)
    story_views_record(viewer=alice, story_ids=[second.pk])
    assert story_tray(alice).rings[0].seen


@pytest.mark.django_db
def test_without_stories_of_your_own_the_tray_has_no_own_ring(alice, bob, make_story):
    follow_create(follower=alice, followee=bob)
    make_story(bob)
    tray = story_tray(alice)
    assert tray.own is None and [r.person.username for r in tray.rings] == ["bob"]


@pytest.mark.django_db
def test_the_tray_leaves_out_what_the_rule_hides(alice, bob, charlie, make_story, expire):
    dora = UserFactory(username="dora")
    erin = UserFactory(username="erin")
    for person in (bob, charlie, dora, erin):
        follow_create(follower=alice, followee=person)
    make_story(bob)
    expire(make_story(charlie))  # expired
    Story.objects.filter(pk=make_story(dora).pk).update(is_hidden=True)  # hidden by moderators
    make_story(erin)
    block_create(blocker=erin, blocked=alice)  # erin blocked alice (the follow went with it)

    assert [r.person.username for r in story_tray(alice).rings] == ["bob"]


@pytest.mark.django_db
@pytest.mark.parametrize("people", [1, 12])
def test_the_tray_is_one_query_for_any_number_of_people(alice, make_story, django_assert_num_queries, people):
    make_story(alice)
    for i in range(people):
        person = UserFactory(username=f"friend{i}")
        follow_create(follower=alice, followee=person)
        make_story(person)
        make_story(person)
    # 1 the viewer's and followees' visible stories grouped by author, with names, avatars and the
    #   unseen count (EXISTS on storyview_viewer_story_idx)
    with django_assert_num_queries(1):
        tray = story_tray(alice)
        assert len(tray.rings) == people and all(ring.count == 2 for ring in tray.rings)


@pytest.mark.django_db
def test_the_tray_is_capped(alice, make_story):
    for i in range(3):
        person = UserFactory(username=f"friend{i}")
        follow_create(follower=alice, followee=person)
        make_story(person)
    make_story(alice)
    tray = story_tray(alice, size=2)
    assert tray.own is not None and len(tray.rings) == 2


@pytest.mark.django_db
def test_a_persons_stories_are_in_order_with_what_you_saw(alice, bob, make_story):
    first, second, third = make_story(bob), make_story(bob), make_story(bob)
    story_views_record(viewer=alice, story_ids=[second.pk])

    person, stories = person_stories(alice, "BOB")

    assert person.pk == bob.pk
    assert [(s.pk, s.seen) for s in stories] == [(first.pk, False), (second.pk, True), (third.pk, False)]
    assert stories[0].src.startswith("/media/stories/images/") and "?e=" not in stories[0].src  # public: unsigned


@pytest.mark.django_db
def test_a_private_authors_story_urls_are_signed(alice, bob, make_story):
    dana = UserFactory(username="dana", private=True)
    follow_create(follower=alice, followee=dana)
    from accounts.services import follow_request_accept

    follow_request_accept(target=dana, requester=alice)
    make_story(dana)
    _, (story,) = person_stories(alice, "dana")
    assert "?e=" in story.src and "&s=" in story.src


@pytest.mark.django_db
def test_a_person_with_nothing_to_show_is_404(alice, bob, make_story, expire):
    with pytest.raises(Http404):
        person_stories(alice, "bob")  # no stories
    expire(make_story(bob))
    with pytest.raises(Http404):
        person_stories(alice, "bob")  # only an expired one
    with pytest.raises(Http404):
        person_stories(alice, "nobody")


@pytest.mark.django_db
def test_only_the_author_gets_their_story_for_its_viewers(alice, bob, make_story):
    story = make_story(alice)
    assert story_get_for_author(alice, story.pk).pk == story.pk
    with pytest.raises(Http404):
        story_get_for_author(bob, story.pk)  # bob may see it, but it isn't his
    with pytest.raises(Http404):
        story_get_for_author(alice, story.pk, "bob")  # under someone else's name


@pytest.mark.django_db
def test_the_viewers_list_is_newest_first_in_keyset_pages(alice, make_story):
    story = make_story(alice)
    viewers = [UserFactory(username=f"viewer{i}") for i in range(5)]
    for viewer in viewers:
        story_views_record(viewer=viewer, story_ids=[story.pk])
    story = story_get_for_author(alice, story.pk)

    first = story_viewers_page(story, None, size=3)
    second = story_viewers_page(story, first.next_cursor, size=3)

    names = [v.viewer.username for v in first.items] + [v.viewer.username for v in second.items]
    assert names == [f"viewer{i}" for i in (4, 3, 2, 1, 0)]
    assert second.next_cursor is None


@pytest.mark.django_db
def test_the_viewers_list_leaves_out_people_blocked_either_way_and_suspended(alice, bob, charlie, make_story):
    dora = UserFactory(username="dora")
    story = make_story(alice)
    for viewer in (bob, charlie, dora):
        story_views_record(viewer=viewer, story_ids=[story.pk])
    block_create(blocker=alice, blocked=bob)
    block_create(blocker=charlie, blocked=alice)
    dora.is_active = False
    dora.save(update_fields=["is_active"])
    story = story_get_for_author(alice, story.pk)

    assert story_viewers_page(story, None).items == []
    assert story.view_count == 3  # the count stays what was recorded


@pytest.mark.django_db
@pytest.mark.parametrize("viewers", [1, 30])
def test_the_viewers_page_is_one_query(alice, make_story, django_assert_num_queries, viewers):
    story = make_story(alice)
    for i in range(viewers):
        story_views_record(viewer=UserFactory(username=f"v{i}"), story_ids=[story.pk])
    story = story_get_for_author(alice, story.pk)
    # 1 the page of views (storyview_story_created_idx) with their viewers, the profile rule joined
    with django_assert_num_queries(1):
        page = story_viewers_page(story, None)
        assert [v.viewer.username for v in page.items][:1] == [f"v{viewers - 1}"]
