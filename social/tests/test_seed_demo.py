"""seed_demo (social.demo: plan, images, writer) and check_counters: counts, determinism, idempotency,
consistent counters and feed rows (the proof of the bulk writer), real images."""

import random
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Block, Follow, User
from posts.models import Comment, Hashtag, Like, Post, PostHashtag, PostMedia, PostMention, Save
from posts.stories.selectors import story_tray
from social.demo.plan import DEMO_PASSWORD, SEED_EMAIL_DOMAIN, DemoPerson, PlanOptions, make_plan
from social.management.commands.check_counters import counter_mismatches
from social.models import FeedItem

SMALL = {"users": 25, "posts_per_user": 2, "likes": 120, "comments": 30, "saves": 15, "media_pool": 6}


def seed(**options):
    out = StringIO()
    call_command("seed_demo", stdout=out, **{**SMALL, **options})
    return out.getvalue()


def snapshot():
    """What the population looks like, independent of ids."""
    name = dict(User.objects.values_list("pk", "username"))
    return {
        "users": sorted(User.objects.values_list("username", "is_private", "follower_count", "following_count", "post_count")),
        "follows": sorted((name[a], name[b]) for a, b in Follow.objects.values_list("follower", "followee")),
        "posts": sorted((name[a], c, str(t), lc, cc, mc) for a, c, t, lc, cc, mc in Post.objects.values_list(
            "author", "caption", "created", "like_count", "comment_count", "media_count")),
        "likes": Like.objects.count(),
        "blocks": sorted((name[a], name[b]) for a, b in Block.objects.values_list("blocker", "blocked")),
    }


@pytest.mark.django_db
def test_seed_creates_population_with_every_kind_of_row(media_root):
    seed()
    assert User.objects.filter(username__in=["alice", "bob", "charlie", "dana", "eve", "demo_mod", "demo_admin"]).count() == 7
    assert User.objects.filter(email__endswith=SEED_EMAIL_DOMAIN).count() == 20  # 25 less the five demo users
    assert Post.objects.count() == 50
    assert Follow.objects.count() > 0
    assert Like.objects.count() > 60  # long tail, capped by audiences, but most of the 120 land
    assert Comment.objects.count() > 0 and Save.objects.count() > 0
    assert Hashtag.objects.exists() and PostHashtag.objects.exists()
    assert PostMedia.objects.count() >= Post.objects.count()
    # alice's feed index holds her own posts and those of everyone she follows
    alice = User.objects.get(username="alice")
    followees = Follow.objects.filter(follower=alice).values("followee")
    expected = Post.objects.filter(author__in=followees).count() + Post.objects.filter(author=alice).count()
    assert FeedItem.objects.filter(owner=alice).count() == expected
    # a few stories, so alice's tray is not empty: coloured rings first, one she has seen last
    tray = story_tray(alice)
    assert len(tray.rings) >= 3 and not tray.rings[0].seen and tray.rings[-1].seen


@pytest.mark.django_db
def test_a_rerun_a_day_later_brings_the_stories_back(media_root):
    from datetime import timedelta

    from django.utils import timezone

    from posts.stories.models import Story

    seed()
    alice = User.objects.get(username="alice")
    live = Story.objects.count()
    seed()  # the same day: nothing new
    assert Story.objects.count() == live
    Story.objects.update(expires_at=timezone.now() - timedelta(minutes=1))  # a day later
    assert story_tray(alice).rings == []

    out = seed()

    fresh = Story.objects.filter(expires_at__gt=timezone.now()).count()
    assert fresh > 0 and f"{fresh} fresh stories" in out
    assert len(story_tray(alice).rings) >= 3 and Post.objects.count() == 50  # the rest stays as it was


@pytest.mark.django_db
def test_seeded_counters_equal_their_rows(media_root):
    seed(probe_followees="3,10")
    assert counter_mismatches() == []
    call_command("check_counters", stdout=StringIO())  # exits cleanly


@pytest.mark.django_db
def test_check_counters_reports_and_fixes_a_wrong_counter(media_root):
    seed()
    post = Post.objects.order_by("pk").first()
    Post.objects.filter(pk=post.pk).update(like_count=post.like_count + 5)
    User.objects.filter(username="alice").update(follower_count=999)
    assert {name for name, *_ in counter_mismatches()} == {"Post.like_count", "User.follower_count"}
    with pytest.raises(CommandError, match="2 counter"):
        call_command("check_counters", stdout=StringIO())
    call_command("check_counters", "--fix", stdout=StringIO())
    assert counter_mismatches() == []


@pytest.mark.django_db
def test_same_seed_gives_the_same_population(media_root):
    seed(seed=7)
    first = snapshot()
    call_command("seed_demo", "--reset", stdout=StringIO(), **{**SMALL, "seed": 7})
    assert snapshot() == first
    call_command("seed_demo", "--reset", stdout=StringIO(), **{**SMALL, "seed": 8})
    assert snapshot() != first


@pytest.mark.django_db
def test_running_twice_is_harmless(media_root):
    seed()
    before = snapshot()
    out = seed()
    assert "exists already" in out
    assert snapshot() == before


@pytest.mark.django_db
def test_follow_graph_respects_blocks_and_private_reactions(media_root):
    seed(users=60, blocks=0.2, private=0.3, likes=400)
    blocked = set(Block.objects.values_list("blocker", "blocked"))
    assert blocked
    for a, b in Follow.objects.values_list("follower", "followee"):
        assert (a, b) not in blocked and (b, a) not in blocked
    # likes on a private account's posts come only from its followers
    followers = set(Follow.objects.values_list("follower", "followee"))
    for user_id, author_id in Like.objects.filter(post__author__is_private=True).values_list("user", "post__author"):
        assert (user_id, author_id) in followers


@pytest.mark.django_db
def test_captions_match_hashtag_and_mention_rows(media_root):
    seed()
    for post in Post.objects.prefetch_related("hashtags", "mentions"):
        tags = {w[1:].lower() for w in post.caption.split() if w.startswith("#")}
        assert tags == {t.name for t in post.hashtags.all()}
        mentioned = {w[1:] for w in post.caption.split() if w.startswith("@")}
        assert mentioned == {u.username for u in post.mentions.all()}
    assert PostMention.objects.exists()


@pytest.mark.django_db
def test_images_go_through_the_pipeline_and_exist(media_root):
    from django.core.files.storage import default_storage

    seed(media_pool=0, users=8, posts_per_user=1)
    media = list(PostMedia.objects.all())
    assert media and len({m.file for m in media}) == len(media)  # every image its own
    for m in media:
        assert default_storage.exists(m.file)
        assert m.width > 0 and m.height > 0
        assert set(m.renditions) == {"320", "640", "1080"}
        assert all(default_storage.exists(name) for name in m.renditions.values())


@pytest.mark.django_db
def test_probe_users_follow_exactly_n_accounts(media_root):
    seed(probe_followees="5,12")
    assert User.objects.get(username="probe_5").following_count == 5
    assert Follow.objects.filter(follower__username="probe_12").count() == 12


@pytest.mark.django_db
def test_demo_users_sign_in_with_the_demo_password(client, media_root):
    seed()
    generated = User.objects.filter(email__endswith=SEED_EMAIL_DOMAIN).first()
    for username in ("alice", generated.username):
        assert client.login(username=username, password=DEMO_PASSWORD)


DEMO = [DemoPerson(1, "alice", False), DemoPerson(2, "bob", False), DemoPerson(3, "dana", True)]


def plan(seed, **options):
    return make_plan(random.Random(seed), PlanOptions(**{"users": 40, "blocks": 0.1, "private": 0.2, **options}),
                     demo=DEMO, first_user_id=10, first_post_id=5, taken_usernames={"alice", "bob", "dana"})


def test_the_same_seed_plans_the_same_population_without_a_database():
    # no django_db mark: any database access would fail this test, so the plan is pure
    first = plan(7, probe_followees="3")
    assert first == plan(7, probe_followees="3")
    assert first != plan(8, probe_followees="3")
    assert first.ids[:3] == [1, 2, 3] and first.ids[3] == 10 and first.post_ids[0] == 5
    assert first.n == 40 and first.likes and first.following and first.blocks


@pytest.mark.django_db
def test_a_small_seed_leaves_check_counters_nothing_to_fix(media_root):
    call_command("seed_demo", users=40, probe_followees="4", stdout=StringIO())
    assert counter_mismatches() == []
    out = StringIO()
    call_command("check_counters", "--fix", stdout=out)
    assert "All counters match their rows" in out.getvalue() and "Fixed" not in out.getvalue()


@pytest.mark.django_db
def test_bulk_written_feed_rows_equal_the_fan_out_of_every_follow(media_root):
    seed(users=40, blocks=0.1, probe_followees="4")
    posts_of = {}
    for pk, author in Post.objects.values_list("pk", "author"):
        posts_of.setdefault(author, set()).add(pk)
    followees = {}
    for follower, followee in Follow.objects.values_list("follower", "followee"):
        followees.setdefault(follower, set()).add(followee)
    feed = {}
    for owner, post, author in FeedItem.objects.values_list("owner", "post", "author"):
        assert post in posts_of[author]
        feed.setdefault(owner, set()).add(post)
    for user in User.objects.values_list("pk", flat=True):
        expected = set().union(*(posts_of.get(a, set()) for a in {user} | followees.get(user, set())))
        assert feed.get(user, set()) == expected, user
