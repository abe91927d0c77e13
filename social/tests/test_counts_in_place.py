"""Counts that change in place: the profile header after follow/unfollow (htmx out-of-band swap),
the waiting requests after accept/decline, your followers after removing one; posts hidden by
moderators are not counted; unfollowing a private account asks first."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from accounts.services import graph
from posts.tests.factories import PostFactory
from social import moderation
from social.management.commands.check_counters import counter_mismatches

from .factories import follow, make_private

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def oob_counts(body: str) -> str | None:
    m = re.search(r'<ul class="profile__counts" id="profile-counts" hx-swap-oob="true">(.*?)</ul>', body, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", m.group(1)).split()) if m else None


def test_follow_from_the_profile_answers_with_the_new_follower_count(client, alice, bob):
    client.force_login(alice)
    r = client.post(reverse("social:follow", args=["bob"]), {"counts": "1"}, **HX)
    assert r.status_code == 200
    body = r.content.decode()
    assert 'class="btn btn--sm follow-btn follow-btn--following"' in body
    assert "1 follower " in oob_counts(body) + " "
    r = client.post(reverse("social:unfollow", args=["bob"]), {"counts": "1"}, **HX)
    assert "0 followers" in oob_counts(r.content.decode())


def test_follow_elsewhere_answers_with_the_button_alone(client, alice, bob):
    client.force_login(alice)
    r = client.post(reverse("social:follow", args=["bob"]), **HX)
    assert oob_counts(r.content.decode()) is None


def test_the_profile_follow_button_asks_for_the_counts(client, alice, bob):
    client.force_login(alice)
    body = client.get(bob.get_absolute_url()).content.decode()
    assert '''hx-vals='{"counts": "1"}\'''' in body and 'id="profile-counts"' in body


def test_unfollowing_a_private_account_from_its_profile_reloads_the_page(client, alice, bob):
    make_private(bob)
    follow(alice, bob)
    client.force_login(alice)
    r = client.post(reverse("social:unfollow", args=["bob"]), {"counts": "1"}, **HX)
    assert r["HX-Refresh"] == "true"


def test_unfollow_of_a_private_account_asks_first_without_js(client, alice, bob):
    make_private(bob)
    follow(alice, bob)
    client.force_login(alice)
    r = client.post(reverse("social:unfollow", args=["bob"]), {"next": bob.get_absolute_url()})
    assert r.status_code == 200 and "Unfollow @bob?" in r.content.decode()
    assert bob.follower_rows.filter(follower=alice).exists()
    r = client.post(reverse("social:unfollow", args=["bob"]), {"next": bob.get_absolute_url(), "confirm": "1"})
    assert r.status_code == 302 and not bob.follower_rows.filter(follower=alice).exists()


def test_the_private_accounts_following_button_carries_a_confirmation(client, alice, bob, charlie):
    make_private(bob)
    follow(alice, bob)
    follow(alice, charlie)
    client.force_login(alice)
    assert 'hx-confirm="Unfollow @bob?' in client.get(bob.get_absolute_url()).content.decode()
    assert 'hx-confirm="Unfollow' not in client.get(charlie.get_absolute_url()).content.decode()


def test_unfollow_of_a_public_account_does_not_ask(client, alice, bob):
    follow(alice, bob)
    client.force_login(alice)
    r = client.post(reverse("social:unfollow", args=["bob"]), {"next": "/"})
    assert r.status_code == 302


def test_accepting_a_request_drops_the_waiting_count_in_place(client, alice, bob, charlie):
    make_private(alice)
    graph.follow_create(follower=bob, followee=alice)
    graph.follow_create(follower=charlie, followee=alice)
    client.force_login(alice)
    body = client.get(reverse("social:follow_requests")).content.decode()
    assert re.search(r'id="follow-requests-count">2<', body)
    r = client.post(reverse("social:request_accept", args=["bob"]), **HX)
    assert re.search(r'id="follow-requests-count" hx-swap-oob="true">1<', r.content.decode())
    r = client.post(reverse("social:request_decline", args=["charlie"]), **HX)
    assert re.search(r'id="follow-requests-count" hidden hx-swap-oob="true">0<', r.content.decode())


def test_removing_a_follower_drops_your_count_in_place(client, alice, bob, charlie):
    follow(bob, alice)
    follow(charlie, alice)
    client.force_login(alice)
    body = client.get(reverse("followers", args=["alice"])).content.decode()
    assert re.search(r'id="followers-count">2<', body)
    r = client.post(reverse("social:follower_remove", args=["bob"]), **HX)
    assert r.status_code == 200
    assert re.search(r'id="followers-count" hx-swap-oob="true">1<', r.content.decode())


# --- hidden posts are not counted ----------------------------------------------------------


def test_hiding_a_post_uncounts_it_and_unhiding_counts_it_again(alice, moderator):
    post = PostFactory(author=alice)
    PostFactory(author=alice)
    assert User.objects.get(pk=alice.pk).post_count == 2
    assert moderation.post_hide(moderator=moderator, post=post)
    assert User.objects.get(pk=alice.pk).post_count == 1
    assert counter_mismatches() == []
    assert not moderation.post_hide(moderator=moderator, post=post)  # twice: counted once
    assert User.objects.get(pk=alice.pk).post_count == 1
    assert moderation.post_unhide(moderator=moderator, post=post)
    assert User.objects.get(pk=alice.pk).post_count == 2
    assert counter_mismatches() == []


def test_check_counters_counts_only_posts_not_hidden(alice, moderator):
    post = PostFactory(author=alice)
    moderation.post_hide(moderator=moderator, post=post)
    call_command("check_counters")  # raises CommandError on a mismatch
    User.objects.filter(pk=alice.pk).update(post_count=1)
    assert counter_mismatches() == [("User.post_count", alice.pk, 1, 0)]


def test_the_profile_shows_the_count_without_hidden_posts(client, alice, bob, moderator):
    post = PostFactory(author=alice)
    moderation.post_hide(moderator=moderator, post=post)
    client.force_login(bob)
    assert oob_counts(client.post(reverse("social:follow", args=["alice"]), {"counts": "1"}, **HX).content.decode()).startswith("0 posts")


def test_deleting_a_hidden_post_leaves_the_count_alone(alice, moderator):
    post = PostFactory(author=alice)
    PostFactory(author=alice)
    moderation.post_hide(moderator=moderator, post=post)
    moderation.content_delete(moderator=moderator, post=post)
    assert User.objects.get(pk=alice.pk).post_count == 1
    assert counter_mismatches() == []


def test_hidden_and_archived_posts_are_uncounted_once(alice, moderator):
    from posts.services.archive import post_archive, post_unarchive

    post = PostFactory(author=alice)
    moderation.post_hide(moderator=moderator, post=post)
    post_archive(post=post, by=alice)
    assert User.objects.get(pk=alice.pk).post_count == 0 and counter_mismatches() == []
    moderation.post_unhide(moderator=moderator, post=post)  # still archived: still uncounted
    assert User.objects.get(pk=alice.pk).post_count == 0 and counter_mismatches() == []
    post_unarchive(post=post, by=alice)
    assert User.objects.get(pk=alice.pk).post_count == 1 and counter_mismatches() == []
    post_archive(post=post, by=alice)
    moderation.post_hide(moderator=moderator, post=post)
    post_unarchive(post=post, by=alice)  # still hidden: still uncounted
    assert User.objects.get(pk=alice.pk).post_count == 0 and counter_mismatches() == []
