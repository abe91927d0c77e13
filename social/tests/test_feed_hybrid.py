"""Hybrid fan-out: authors with more than FEED_FANOUT_MAX_FOLLOWERS followers are not fanned out;
their posts are merged into followers' pages at read time (social.selectors.feed_page). The mode is
sticky with hysteresis (back to push below FEED_FANOUT_MIN_FOLLOWERS, after copying the pull-mode
posts back). Every follower's whole feed, walked page by page, must equal the reference (every
visible post of themself and their followees, newest first) on both sides and across the threshold."""

from __future__ import annotations

import pytest
from django_tasks import default_task_backend

from accounts.models import Follow, User
from accounts.services import graph
from accounts.tests.factories import FollowFactory, UserFactory, make_private
from posts.models import Post
from posts.tests.factories import PostFactory
from social.models import FeedItem, FeedPullAuthor
from social.selectors import feed_page

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_threshold(settings):
    settings.FEED_FANOUT_MAX_FOLLOWERS = 3
    settings.FEED_FANOUT_MIN_FOLLOWERS = 2
    settings.FEED_FANOUT_BATCH = 2


def walk(viewer, size: int = 2) -> list[int]:
    """Every post of the viewer's feed, page by page (keyset cursors), in order."""
    seen, cursor = [], None
    while True:
        page = feed_page(viewer, cursor, size=size)
        seen += [p.pk for p in page.items]
        cursor = page.next_cursor
        if cursor is None:
            return seen


def reference(viewer) -> list[int]:
    authors = {viewer.pk, *Follow.objects.filter(follower=viewer).values_list("followee_id", flat=True)}
    return list(
        Post.objects.visible_to(viewer).filter(author_id__in=authors).order_by("-created", "-id").values_list("pk", flat=True)
    )


def assert_feeds_correct(people):
    for person in people:
        person = User.objects.get(pk=person.pk)
        got = walk(person)
        assert len(got) == len(set(got)), f"duplicates in {person}'s feed"
        assert got == reference(person), person


def followers_of(author, n: int) -> list[User]:
    people = [UserFactory() for _ in range(n)]
    for person in people:
        FollowFactory(follower=person, followee=author)
    return people


def rows_of(post) -> set[int]:
    return set(FeedItem.objects.filter(post=post).values_list("owner_id", flat=True))


def test_an_author_at_the_maximum_is_fanned_out(alice):
    people = followers_of(alice, 3)
    post = PostFactory(author=alice)
    assert rows_of(post) == {alice.pk, *(p.pk for p in people)}
    assert not FeedPullAuthor.objects.exists()
    assert_feeds_correct(people)


def test_an_author_above_the_maximum_costs_one_row_and_is_read_at_read_time(alice):
    people = followers_of(alice, 4)
    post = PostFactory(author=alice)
    assert rows_of(post) == {alice.pk}  # O(1) writes whatever the audience
    assert FeedPullAuthor.objects.filter(author=alice).exists()
    for person in people:
        assert walk(person) == [post.pk]
    assert_feeds_correct([alice, *people])


def test_merged_pages_keep_the_order_without_duplicates(alice, bob, charlie):
    star = UserFactory()
    fans = followers_of(star, 2)
    graph.follow_create(follower=alice, followee=star)
    graph.follow_create(follower=alice, followee=bob)
    PostFactory(author=star)  # 3 followers: pushed, alice has a row for it
    FollowFactory(follower=charlie, followee=star)
    for i in range(5):  # interleaved: star (pull from now on), bob (push), alice herself
        PostFactory(author=[star, bob, alice][i % 3])
        PostFactory(author=star)
    assert FeedPullAuthor.objects.filter(author=star).exists()
    for size in (1, 2, 3, 12):
        got = walk(User.objects.get(pk=alice.pk), size=size)
        assert got == reference(alice) and len(got) == 11
    assert_feeds_correct([alice, charlie, *fans])


def test_the_merge_applies_the_visibility_rule(alice, bob):
    star = UserFactory()
    followers_of(star, 3)
    graph.follow_create(follower=alice, followee=star)
    shown = PostFactory(author=star)
    hidden = PostFactory(author=star)
    Post.objects.filter(pk=hidden.pk).update(is_hidden=True)
    assert FeedPullAuthor.objects.filter(author=star).exists()
    assert walk(alice) == [shown.pk]
    # a pull author the viewer does not follow is not merged
    other = UserFactory()
    followers_of(other, 4)
    PostFactory(author=other)
    assert walk(alice) == [shown.pk]
    # a suspended author disappears; a private one stays for the followers it accepted
    User.objects.filter(pk=star.pk).update(is_active=False)
    assert walk(User.objects.get(pk=alice.pk)) == []
    User.objects.filter(pk=star.pk).update(is_active=True)
    make_private(star)
    assert walk(User.objects.get(pk=alice.pk)) == [shown.pk]
    assert walk(User.objects.get(pk=bob.pk)) == []


def test_crossing_the_threshold_upwards_keeps_every_feed(alice):
    people = followers_of(alice, 3)
    old = [PostFactory(author=alice) for _ in range(2)]
    assert all(rows_of(p) == {alice.pk, *(x.pk for x in people)} for p in old)
    before = {p.pk: walk(p) for p in people}
    people += followers_of(alice, 1)  # 4 > 3
    new = PostFactory(author=alice)
    assert FeedPullAuthor.objects.filter(author=alice).exists()
    assert rows_of(new) == {alice.pk}
    for p in people[:3]:
        assert walk(p) == [new.pk, *before[p.pk]]
    assert_feeds_correct([alice, *people])


def test_crossing_the_threshold_downwards_copies_the_pull_posts_back(settings, alice):
    people = followers_of(alice, 4)
    pulled = [PostFactory(author=alice) for _ in range(3)]
    assert all(rows_of(p) == {alice.pk} for p in pulled)
    for person in people[:3]:  # down to 1 follower, below the minimum of 2
        graph.follow_delete(follower=person, followee=alice)
    stay = people[3]
    # hold the queue: while the copy has not run, the feed is still right (reads still merge)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    back = PostFactory(author=alice)
    assert FeedPullAuthor.objects.get(author=alice).leaving
    assert walk(stay) == [back.pk, *reversed([p.pk for p in pulled])]
    while default_task_backend.results:
        result = default_task_backend.results.pop(0)
        result.task.call(*result.args, **result.kwargs)
        assert walk(stay) == [back.pk, *reversed([p.pk for p in pulled])]  # after every batch
    assert not FeedPullAuthor.objects.exists()  # push again
    assert all(stay.pk in rows_of(p) for p in [*pulled, back])
    assert_feeds_correct([alice, *people])


def test_between_the_minimum_and_the_maximum_the_mode_sticks(alice, bob):
    fans = followers_of(alice, 4)
    PostFactory(author=alice)
    graph.follow_delete(follower=fans[0], followee=alice)  # 3: not above the maximum any more
    graph.follow_delete(follower=fans[1], followee=alice)  # 2: not below the minimum
    post = PostFactory(author=alice)
    assert rows_of(post) == {alice.pk}
    assert not FeedPullAuthor.objects.get(author=alice).leaving
    # and a push author at the maximum stays push
    followers_of(bob, 3)
    assert len(rows_of(PostFactory(author=bob))) == 4
    assert_feeds_correct([alice, bob, *fans])


def test_going_back_above_the_maximum_while_leaving_stops_the_copy(settings, alice):
    people = followers_of(alice, 4)
    PostFactory(author=alice)
    for person in people[:3]:
        graph.follow_delete(follower=person, followee=alice)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    PostFactory(author=alice)  # leaving; the copy is queued
    assert FeedPullAuthor.objects.get(author=alice).leaving
    for person in people[:3]:
        FollowFactory(follower=person, followee=alice)  # 4 again
    PostFactory(author=alice)
    assert not FeedPullAuthor.objects.get(author=alice).leaving
    while default_task_backend.results:
        result = default_task_backend.results.pop(0)
        result.task.call(*result.args, **result.kwargs)
    assert FeedPullAuthor.objects.filter(author=alice, leaving=False).exists()
    assert_feeds_correct([alice, *people])


@pytest.mark.parametrize("n_posts", [1, 20])
def test_feed_query_count_with_a_pulled_author_is_constant(
    alice_client, alice, django_assert_num_queries, n_posts
):
    from posts import services as post_services

    star = UserFactory()
    followers_of(star, 3)
    graph.follow_create(follower=alice, followee=star)
    posts = [PostFactory(author=alice if i % 2 else star, caption=f"post {i}") for i in range(n_posts)]
    assert FeedPullAuthor.objects.filter(author=star).exists()
    newest_of_star = [p for p in posts if p.author_id == star.pk][-1]
    post_services.like_create(user=alice, post_id=newest_of_star.pk)
    post_services.save_create(user=alice, post_id=newest_of_star.pk)
    for post in posts:
        post_services.like_create(user=star, post_id=post.pk)
    alice_client.get("/")  # warms the cached unread badge
    # 1 session, 2 user, 3 fan-out rows with the card state (LIMIT size + 1) and whether a followee
    # is in pull mode (yes), 4 pulled authors' posts with the card state (LIMIT size + 1), 5 media
    # prefetch for the merged page, 6 latest comments, 7 the followed likers (users by id), 8 the
    # stories tray (one query)
    with django_assert_num_queries(8):
        r = alice_client.get("/")
    assert [p.pk for p in r.context["page"].items] == reference(alice)[:12]
    assert r.context["liked_ids"] == r.context["saved_ids"] == {newest_of_star.pk}
    assert all(p.card_liked_by == star for p in r.context["page"].items)
