"""The accounts endpoints driven by an unmodified Mastodon client library (Mastodon.py) over real
HTTP against the live server (issue 14): who am I, find a person, follow (public: following;
private: requested), relationships, answer a request from the other side, page a profile's statuses
by its Link headers, edit the bio, block and unblock."""

from __future__ import annotations

import pytest
from mastodon import Mastodon, MastodonNotFoundError

from accounts.models import Follow
from accounts.tests.factories import fresh, make_private
from instaclone.testing import api_token
from posts.tests.factories import PostRowsFactory

pytestmark = pytest.mark.django_db(transaction=True)


def client_for(live_server, user) -> Mastodon:
    return Mastodon(access_token=api_token(user), api_base_url=live_server.url, version_check_mode="none")


def test_mastodon_py_drives_the_accounts_endpoints(live_server, alice, bob, charlie):
    make_private(charlie)
    posts = [PostRowsFactory(author=bob, caption=f"post {i}") for i in range(5)]
    api = client_for(live_server, alice)

    me = api.account_verify_credentials()
    assert me.username == "alice" and me.source.follow_requests_count == 0

    found = api.account_lookup("bob")
    assert int(found.id) == bob.pk

    # follow a public account: following; a private one: requested
    assert api.account_follow(found).following is True
    asked = api.account_follow(charlie.pk)
    assert asked.requested is True and asked.following is False
    rels = api.account_relationships([bob.pk, charlie.pk])
    assert [(r.following, r.requested) for r in rels] == [(True, False), (False, True)]

    # charlie answers from the other side
    charlies = client_for(live_server, charlie)
    waiting = charlies.follow_requests()
    assert [a.username for a in waiting] == ["alice"]
    assert charlies.follow_request_authorize(waiting[0]).followed_by is True
    assert api.account_relationships(charlie.pk)[0].following is True
    assert Follow.objects.filter(follower=alice, followee=charlie).exists()

    # bob's statuses, two at a time, by the Link headers
    page = api.account_statuses(bob.pk, limit=2)
    seen = []
    while page:
        seen += [int(s.id) for s in page]
        page = api.fetch_next(page)
    assert seen == [p.pk for p in reversed(posts)]

    # edit the bio
    updated = api.account_update_credentials(note="Down the rabbit hole", locked=True)
    assert updated.source.note == "Down the rabbit hole" and updated.locked is True
    assert fresh(alice).is_private is True

    # block ends the follow and hides bob; unblock lifts it
    blocked = api.account_block(bob.pk)
    assert blocked.blocking is True and blocked.following is False
    with pytest.raises(MastodonNotFoundError):
        api.account(bob.pk)
    assert api.account_unblock(bob.pk).blocking is False
    assert api.account(bob.pk).username == "bob"
