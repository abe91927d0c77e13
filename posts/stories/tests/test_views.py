"""Story pages (posts.stories.views): what each answers, every 4xx a person can provoke, and the
query counts of the pages that list."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.services import block_create, follow_create
from accounts.tests.factories import UserFactory, make_private
from instaclone.testing import stored_files
from posts.stories.models import Story, StoryView
from posts.stories.services import story_views_record
from posts.tests.factories import jpeg, upload

HX = {"HTTP_HX_REQUEST": "true"}


def _story_files(root) -> list[str]:
    """Stories' stored files (pages also write the shared default avatar)."""
    return [name for name in stored_files(root) if name.startswith("stories/")]


@pytest.fixture
def bob_client(bob):
    client = Client()
    client.force_login(bob)
    return client


@pytest.fixture
def story(alice, make_story):
    return make_story(alice, alt="A red kite")


def _urls(story):
    name = story.author.username
    return {
        "person": f"/stories/{name}/",
        "seen": f"/stories/{name}/{story.pk}/seen/",
        "seen_all": f"/stories/{name}/seen/",
        "viewers": f"/stories/{name}/{story.pk}/viewers/",
        "delete": f"/stories/{name}/{story.pk}/delete/",
        "delete_confirm": f"/stories/{name}/{story.pk}/delete/confirm/",
        "new": "/stories/new/",
    }


# --- signed out ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name, method", [
    ("person", "get"), ("viewers", "get"), ("new", "get"), ("seen", "post"), ("seen_all", "post"), ("delete", "post"),
    ("delete_confirm", "get"),
])
def test_signed_out_people_are_sent_to_log_in(client, story, name, method):
    response = getattr(client, method)(_urls(story)[name])
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    htmx = getattr(client, method)(_urls(story)[name], **HX)
    assert "/accounts/login/" in htmx["HX-Redirect"]
    assert not StoryView.objects.exists() and Story.objects.filter(pk=story.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["seen", "seen_all", "delete"])
def test_writes_refuse_get(bob_client, story, name):
    assert bob_client.get(_urls(story)[name]).status_code == 405


# --- one person's stories --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_plain_page_lists_the_stories_in_order_with_a_reply_and_mark_as_seen(alice, bob_client, make_story, story):
    later = make_story(alice)
    page = bob_client.get("/stories/alice/")

    assert page.status_code == 200
    html = page.content.decode()
    assert html.index(f'id="story-{story.pk}"') < html.index(f'id="story-{later.pk}"')
    assert 'alt="A red kite"' in html and "1 of 2" in html and "2 of 2" in html
    assert f'action="/direct/story/{story.pk}/reply/"' in html and 'name="text"' in html
    assert f'href="/report/story/{story.pk}/"' in html
    assert 'action="/stories/alice/seen/"' in html and "Mark as seen" in html
    assert "/viewers/" not in html and "/delete/" not in html  # not the author's page
    assert not StoryView.objects.exists()  # looking is not a view until it is recorded (POST)


@pytest.mark.django_db
def test_the_authors_page_has_viewers_and_delete_but_no_reply(alice_client, story):
    story_views_record(viewer=UserFactory(), story_ids=[story.pk])
    html = alice_client.get("/stories/alice/").content.decode()
    assert f'href="/stories/alice/{story.pk}/viewers/"' in html and "Seen by 1" in html
    # Delete asks first: the confirm page without JavaScript, hx-confirm with htmx
    assert f'href="/stories/alice/{story.pk}/delete/confirm/" hx-post="/stories/alice/{story.pk}/delete/" hx-confirm="Delete this story?' in html
    assert "/reply/" not in html and "Mark as seen" not in html


@pytest.mark.django_db
def test_htmx_gets_the_items_alone_for_the_viewer(bob_client, story):
    response = bob_client.get("/stories/alice/", **HX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith('<ol class="story-items" data-username="alice"')
    assert f'data-seen-url="/stories/alice/{story.pk}/seen/"' in html and 'data-seen="0"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("stories", [1, 8])
def test_the_page_costs_the_same_queries_for_any_number_of_stories(alice, bob_client, make_story, django_assert_num_queries, stories):
    for _ in range(stories):
        make_story(alice)
    bob_client.get("/stories/alice/")
    # 1 session, 2 the viewer, 3 the person (accounts' compiled profile read), 4 their stories with
    # what the viewer saw (EXISTS per story)
    with django_assert_num_queries(4):
        response = bob_client.get("/stories/alice/")
    assert response.content.decode().count('class="story-item"') == stories


@pytest.mark.django_db
def test_an_unknown_person_or_one_without_stories_is_404(bob_client, alice):
    assert bob_client.get("/stories/nobody/").status_code == 404
    assert bob_client.get("/stories/alice/").status_code == 404


@pytest.mark.django_db
def test_expired_hidden_blocked_and_private_stories_are_404(alice, bob, bob_client, make_story, expire, charlie):
    old = make_story(alice)
    expire(old)
    assert bob_client.get("/stories/alice/").status_code == 404  # expired
    assert bob_client.post(f"/stories/alice/{old.pk}/seen/").status_code == 404

    hidden = make_story(charlie)
    Story.objects.filter(pk=hidden.pk).update(is_hidden=True)
    assert bob_client.get("/stories/charlie/").status_code == 404  # hidden by moderators

    dana = UserFactory(username="dana", private=True)
    private = make_story(dana)
    assert bob_client.get("/stories/dana/").status_code == 404  # private, bob does not follow her
    assert bob_client.post(f"/stories/dana/{private.pk}/seen/").status_code == 404

    erin = UserFactory(username="erin")
    make_story(erin)
    block_create(blocker=erin, blocked=bob)
    assert bob_client.get("/stories/erin/").status_code == 404  # she blocked him
    frank = UserFactory(username="frank")
    make_story(frank)
    block_create(blocker=bob, blocked=frank)
    assert bob_client.get("/stories/frank/").status_code == 404  # he blocked him
    assert not StoryView.objects.exists()


# --- recording views -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_view_is_recorded_once_by_post(bob_client, story):
    url = _urls(story)["seen"]
    assert bob_client.post(url).status_code == 204
    assert bob_client.post(url).status_code == 204  # again: still one view
    story.refresh_from_db()
    assert story.view_count == 1 and StoryView.objects.count() == 1


@pytest.mark.django_db
def test_a_story_under_someone_elses_name_or_an_unknown_id_is_404(bob_client, story, charlie):
    assert bob_client.post(f"/stories/charlie/{story.pk}/seen/").status_code == 404
    assert bob_client.post(f"/stories/alice/{story.pk + 1000}/seen/").status_code == 404
    assert bob_client.post(f"/stories/alice/{'9' * 30}/seen/").status_code == 404
    assert bob_client.post("/stories/alice/abc/seen/").status_code == 404
    assert not StoryView.objects.exists()


@pytest.mark.django_db
def test_mark_as_seen_records_what_the_page_listed_and_goes_back_to_the_feed(alice, bob_client, make_story, story):
    other = make_story(alice)
    response = bob_client.post("/stories/alice/seen/", {"story": [story.pk, other.pk]})
    assert response.status_code == 302 and response["Location"] == "/"
    assert set(StoryView.objects.values_list("story_id", flat=True)) == {story.pk, other.pk}


@pytest.mark.django_db
def test_mark_as_seen_ignores_ids_of_other_peoples_stories(bob_client, story, charlie, make_story):
    charlies = make_story(charlie)
    bob_client.post("/stories/alice/seen/", {"story": [story.pk, charlies.pk]})
    assert list(StoryView.objects.values_list("story_id", flat=True)) == [story.pk]


@pytest.mark.django_db
@pytest.mark.parametrize("data", [{}, {"story": ["x"]}, {"story": ["1" * 25]}, {"story": ["-3"]}])
def test_mark_as_seen_with_bad_ids_is_400(bob_client, story, data):
    assert bob_client.post("/stories/alice/seen/", data).status_code == 400
    assert not StoryView.objects.exists()


@pytest.mark.django_db
def test_mark_as_seen_for_someone_without_stories_is_404(bob_client, charlie):
    assert bob_client.post("/stories/charlie/seen/", {"story": ["1"]}).status_code == 404


# --- viewers -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_author_sees_who_viewed_with_the_count(alice_client, bob, charlie, story):
    story_views_record(viewer=bob, story_ids=[story.pk])
    story_views_record(viewer=charlie, story_ids=[story.pk])
    page = alice_client.get(f"/stories/alice/{story.pk}/viewers/")
    html = page.content.decode()
    assert page.status_code == 200 and "Seen by 2 people" in html
    assert html.index(">charlie<") < html.index(">bob<")  # newest first


@pytest.mark.django_db
def test_nobody_but_the_author_sees_the_viewers(bob, bob_client, story):
    follow_create(follower=bob, followee=story.author)  # even a follower who sees the story
    assert bob_client.get(f"/stories/alice/{story.pk}/viewers/").status_code == 404
    assert bob_client.get(f"/stories/bob/{story.pk}/viewers/").status_code == 404


@pytest.mark.django_db
def test_the_viewers_list_pages_with_htmx_and_refuses_a_forged_cursor(alice_client, story, monkeypatch):
    from posts.stories import selectors

    monkeypatch.setattr(selectors, "VIEWERS_PAGE_SIZE", 2)
    for i in range(3):
        story_views_record(viewer=UserFactory(username=f"v{i}"), story_ids=[story.pk])
    first = alice_client.get(f"/stories/alice/{story.pk}/viewers/")
    cursor = first.context["page"].next_cursor
    assert cursor and ">v0<" not in first.content.decode()
    more = alice_client.get(f"/stories/alice/{story.pk}/viewers/?cursor={cursor}", **HX)
    assert "<html" not in more.content.decode() and ">v0<" in more.content.decode()
    assert alice_client.get(f"/stories/alice/{story.pk}/viewers/?cursor=forged").status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("viewers", [1, 12])
def test_the_viewers_page_costs_the_same_queries_for_any_number(alice_client, story, django_assert_num_queries, viewers):
    for i in range(viewers):
        story_views_record(viewer=UserFactory(username=f"v{i}"), story_ids=[story.pk])
    alice_client.get(f"/stories/alice/{story.pk}/viewers/")
    # 1 session, 2 the viewer, 3 the story with its author (the rule), 4 the page of views with viewers
    with django_assert_num_queries(4):
        alice_client.get(f"/stories/alice/{story.pk}/viewers/")


# --- deleting ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_author_deletes_a_story(alice_client, media_root, story):
    response = alice_client.post(f"/stories/alice/{story.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == "/"
    assert not Story.objects.exists() and _story_files(media_root) == []
    htmx = alice_client.post(f"/stories/alice/{story.pk}/delete/", **HX)
    assert htmx.status_code == 404  # gone


@pytest.mark.django_db
def test_without_javascript_delete_asks_on_a_page_first(alice_client, story):
    page = alice_client.get(f"/stories/alice/{story.pk}/delete/confirm/")
    html = page.content.decode()
    assert page.status_code == 200 and "Delete story?" in html
    assert f'action="/stories/alice/{story.pk}/delete/"' in html and f'href="/stories/alice/#story-{story.pk}"' in html
    assert Story.objects.filter(pk=story.pk).exists()  # asking deletes nothing
    assert alice_client.post(f"/stories/alice/{story.pk}/delete/confirm/").status_code == 405


@pytest.mark.django_db
def test_nobody_else_is_asked_to_delete_a_story(bob_client, story):
    assert bob_client.get(f"/stories/alice/{story.pk}/delete/confirm/").status_code == 404
    assert bob_client.get(f"/stories/bob/{story.pk}/delete/confirm/").status_code == 404


@pytest.mark.django_db
def test_nobody_else_deletes_a_story(bob_client, story):
    assert bob_client.post(f"/stories/alice/{story.pk}/delete/").status_code == 404
    assert Story.objects.filter(pk=story.pk).exists()


# --- posting -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_form_posts_a_story_and_goes_back_to_the_feed_with_your_ring(alice_client, media_root):
    assert alice_client.get("/stories/new/").status_code == 200
    response = alice_client.post("/stories/new/", {"media": jpeg("me.jpg", size=(200, 300)), "alt_text": "Me"}, follow=True)
    story = Story.objects.get()
    assert response.redirect_chain == [("/", 302)]
    html = response.content.decode()
    assert "Added to your story." in html and 'href="/stories/alice/" data-story-ring' in html
    assert story.alt_text == "Me" and _story_files(media_root) == [story.file]


@pytest.mark.django_db
def test_the_new_post_page_links_to_the_story_form(alice_client):
    html = alice_client.get("/p/new/").content.decode()
    assert 'href="/stories/new/"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("data, message", [
    ({}, "Choose a photo or a video for your story."),
    ({"media": upload("page.jpg", b"<html></html>")}, "isn&#x27;t"),
    ({"media": jpeg(), "alt_text": "x" * 1001}, "at most 1000 characters"),
])
def test_a_refused_upload_is_400_with_its_reason_and_nothing_stored(alice_client, media_root, data, message):
    response = alice_client.post("/stories/new/", data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not Story.objects.exists() and _story_files(media_root) == []


@pytest.mark.django_db
def test_a_video_over_a_minute_is_400_with_its_length(alice_client, media_root, video_of):
    response = alice_client.post("/stories/new/", {"media": video_of(61)})
    assert response.status_code == 400
    assert "This video is too long (1:01). The limit is 1:00." in response.content.decode()
    assert not Story.objects.exists() and _story_files(media_root) == []


@pytest.mark.django_db
def test_over_the_daily_limit_is_429(alice, alice_client, make_story, settings):
    settings.STORIES_PER_DAY = 1
    make_story(alice)
    response = alice_client.post("/stories/new/", {"media": jpeg()})
    assert response.status_code == 429 and "the most you can" in response.content.decode()
    assert 23 * 3600 < int(response["Retry-After"]) <= 24 * 3600
    assert Story.objects.count() == 1


@pytest.mark.django_db
def test_an_upload_larger_than_any_story_is_refused_unread(alice_client, settings):
    settings.IMAGE_MAX_BYTES = settings.VIDEO_MAX_BYTES = 1000
    response = alice_client.post("/stories/new/", {"media": jpeg(size=(900, 900), color=(1, 2, 3))},
                                 CONTENT_LENGTH=str(5 * 1024 * 1024))
    assert response.status_code == 413 and "too large" in response.content.decode()
    assert not Story.objects.exists()


# --- the tray on the feed --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_feed_shows_your_add_ring_and_the_rings_of_people_you_follow(bob, bob_client, story, charlie, make_story):
    follow_create(follower=bob, followee=story.author)
    make_story(charlie)  # not followed
    html = bob_client.get("/").content.decode()
    assert 'id="story-tray"' in html
    assert html.index('href="/stories/new/"') < html.index('href="/stories/alice/" data-story-ring')
    assert "story-ring--unseen" in html and "/stories/charlie/" not in html
    story_views_record(viewer=bob, story_ids=[story.pk])
    html = bob_client.get("/").content.decode()
    assert 'class="story-ring story-ring--seen" href="/stories/alice/"' in html


@pytest.mark.django_db
def test_a_private_account_followed_shows_its_ring(bob, bob_client, make_story):
    dana = UserFactory(username="dana")
    follow_create(follower=bob, followee=dana)
    make_private(dana)
    make_story(dana)
    assert 'href="/stories/dana/" data-story-ring' in bob_client.get("/").content.decode()
