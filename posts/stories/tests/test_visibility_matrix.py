"""Who sees a story: every persona against a public and a private author, the states that hide a
story from everyone (a suspended or deactivated author, expired), and a story hidden by moderators
(its author and staff still see it, as a hidden post). Checked through `Story.objects.visible_to`
(the rule), the tray and the person's page (signed out: the log-in page)."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.services import block_create, follow_create
from accounts.tests.factories import UserFactory, make_private
from posts.stories.models import Story
from posts.stories.selectors import story_tray

PERSONAS = ("anonymous", "stranger", "follower", "requested", "blocked", "blocker", "author")

# persona -> (sees a public author's story, sees a private author's story)
EXPECTED = {
    "anonymous": (True, False),  # the rule; every story page still asks them to log in
    "stranger": (True, False),
    "follower": (True, True),
    "requested": (True, False),  # asked to follow, not accepted yet
    "blocked": (False, False),  # the author blocked them
    "blocker": (False, False),  # they blocked the author
    "author": (True, True),
}


def _world(private: bool, make_story):
    author = UserFactory(username="author")
    people = {name: UserFactory(username=name) for name in PERSONAS if name not in ("anonymous", "author")}
    people["author"] = author
    follow_create(follower=people["follower"], followee=author)
    follow_create(follower=people["blocked"], followee=author)
    follow_create(follower=people["blocker"], followee=author)
    if private:
        make_private(author)
        follow_create(follower=people["requested"], followee=author)  # a request, not a follow
    else:
        people["requested"] = people["stranger"]  # a public account takes no requests
    block_create(blocker=author, blocked=people["blocked"])
    block_create(blocker=people["blocker"], blocked=author)
    story = make_story(author)
    return author, people, story


def _page_status(viewer, author) -> int:
    client = Client()
    if viewer is not None:
        client.force_login(viewer)
    return client.get(f"/stories/{author.username}/").status_code


@pytest.mark.django_db
@pytest.mark.parametrize("private", [False, True], ids=["public", "private"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_who_sees_a_story(persona, private, make_story):
    author, people, story = _world(private, make_story)
    viewer = people.get(persona)
    expected = EXPECTED[persona][private]

    assert Story.objects.visible_to(viewer).filter(pk=story.pk).exists() is expected
    status = _page_status(viewer, author)
    if viewer is None:
        assert status == 302  # log in first
    else:
        assert status == (200 if expected else 404)
        in_tray = any(ring.person.pk == author.pk for ring in story_tray(viewer).rings)
        own = story_tray(viewer).own
        assert (in_tray or (own is not None and own.person.pk == author.pk)) is (expected and persona in ("follower", "author"))


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["suspended", "deactivated", "expired"])
@pytest.mark.parametrize("persona", ["stranger", "follower", "author"])
def test_a_suspended_author_or_an_expiry_hides_it_from_everyone(persona, state, make_story, expire):
    author, people, story = _world(False, make_story)
    viewer = people[persona]
    if state == "expired":
        expire(story)
    else:  # a moderator's suspension, or the person deleting their account: both deactivate it
        author.is_active = False
        author.save(update_fields=["is_active"])

    assert not Story.objects.visible_to(viewer).filter(pk=story.pk).exists()
    assert not Story.objects.visible_to(None).filter(pk=story.pk).exists()
    assert story_tray(viewer).rings == [] and story_tray(viewer).own is None
    if persona != "author" or state == "expired":  # a deactivated author cannot sign in
        assert _page_status(viewer, author) == 404


# persona -> sees a story hidden by moderators (a public author's; staff follow the author too)
HIDDEN_EXPECTED = {"anonymous": False, "stranger": False, "follower": False, "author": True, "staff": True}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", list(HIDDEN_EXPECTED))
def test_a_hidden_story_is_its_authors_and_staffs_alone(persona, make_story):
    author, people, story = _world(False, make_story)
    people["staff"] = UserFactory(username="staff", is_staff=True)
    follow_create(follower=people["staff"], followee=author)
    Story.objects.filter(pk=story.pk).update(is_hidden=True)
    viewer = people.get(persona)
    expected = HIDDEN_EXPECTED[persona]

    assert Story.objects.visible_to(viewer).filter(pk=story.pk).exists() is expected
    # what may be reported, replied to or counted as seen: hidden for everyone
    assert not Story.objects.visible_to(viewer, published_only=True).filter(pk=story.pk).exists()
    if viewer is None:
        return
    tray = story_tray(viewer)
    shown = [ring.person.pk for ring in tray.rings] + ([tray.own.person.pk] if tray.own else [])
    assert (author.pk in shown) is expected
    client = Client()
    client.force_login(viewer)
    page = client.get(f"/stories/{author.username}/")
    assert page.status_code == (200 if expected else 404)
    if persona == "author":
        assert "Hidden by moderators. Only you can see it." in page.content.decode()
    elif persona == "staff":
        assert "Hidden by moderators. Only you (staff) can see it." in page.content.decode()


@pytest.mark.django_db
def test_a_video_in_processing_is_shown_to_its_author_alone(make_story):
    author, people, story = _world(False, make_story)
    Story.objects.filter(pk=story.pk).update(status=Story.Status.PROCESSING)
    assert Story.objects.visible_to(author).filter(pk=story.pk).exists()
    for persona in ("stranger", "follower"):
        assert not Story.objects.visible_to(people[persona]).filter(pk=story.pk).exists()
    Story.objects.filter(pk=story.pk).update(status=Story.Status.FAILED)
    assert not Story.objects.visible_to(people["follower"]).filter(pk=story.pk).exists()
    html = Client()
    html.force_login(author)
    assert "could not be processed" in html.get("/stories/author/").content.decode()
