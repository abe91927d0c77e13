"""Saves: the services (idempotent), the save/unsave views and the Saved page (only the viewer's own)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.tests.factories import BlockFactory
from posts import selectors, services
from posts.models import Post, Save

from .factories import HX, PostRowsFactory, post_url

pytestmark = pytest.mark.django_db


def test_save_twice_keeps_one_save(alice, bob):
    post = PostRowsFactory(author=bob)
    services.save_create(user=alice, post_id=post.pk)
    services.save_create(user=alice, post_id=post.pk)
    assert Save.objects.filter(user=alice, post=post).count() == 1
    services.save_delete(user=alice, post_id=post.pk)
    services.save_delete(user=alice, post_id=post.pk)
    assert not Save.objects.exists()


def test_saved_page_drops_posts_that_became_invisible(alice, bob, charlie):
    kept, hidden, blocked = PostRowsFactory(author=bob), PostRowsFactory(author=bob), PostRowsFactory(author=charlie)
    for post in (kept, hidden, blocked):
        services.save_create(user=alice, post_id=post.pk)
    Post.objects.filter(pk=hidden.pk).update(is_hidden=True)
    BlockFactory(blocker=charlie, blocked=alice)
    assert [s.post_id for s in selectors.saved_page(alice).items] == [kept.pk]


def test_htmx_save_swaps_the_button(alice_client, alice, post):
    html = alice_client.post(post_url("save", post), **HX).content.decode()
    assert 'aria-pressed="true"' in html and post_url("unsave", post) in html and "<html" not in html
    assert Save.objects.filter(user=alice, post=post).exists()
    html = alice_client.post(post_url("unsave", post), **HX).content.decode()
    assert post_url("save", post) in html and not Save.objects.exists()


def test_saved_page_shows_only_the_viewers_own_saves(client, alice, bob, charlie):
    mine, theirs = PostRowsFactory(author=charlie), PostRowsFactory(author=charlie)
    services.save_create(user=alice, post_id=mine.pk)
    services.save_create(user=bob, post_id=theirs.pk)
    client.force_login(alice)
    html = client.get("/saved/").content.decode()
    assert f'id="saved-{mine.pk}"' in html and f'id="saved-{theirs.pk}"' not in html
    client.force_login(bob)
    html = client.get("/saved/").content.decode()
    assert f'id="saved-{theirs.pk}"' in html and f'id="saved-{mine.pk}"' not in html


def test_saved_page_needs_login(client):
    response = client.get("/saved/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    response = client.get("/saved/", **HX)
    assert response["HX-Redirect"].startswith(reverse("account_login"))


def test_saved_pages_newest_saved_first_with_more_link(client, alice, bob, monkeypatch):
    monkeypatch.setattr(selectors, "SAVED_PAGE_SIZE", 2)
    posts = [PostRowsFactory(author=bob) for _ in range(3)]
    for p in posts:
        services.save_create(user=alice, post_id=p.pk)
    client.force_login(alice)
    first = client.get("/saved/").content.decode()
    assert f'id="saved-{posts[2].pk}"' in first and f'id="saved-{posts[0].pk}"' not in first
    cursor = selectors.saved_page(alice).next_cursor
    more = client.get(f"/saved/?cursor={cursor}", **HX).content.decode()
    assert "<html" not in more and f'id="saved-{posts[0].pk}"' in more and 'id="saved-more"' not in more


def test_saved_tab_only_on_your_own_profile(client, alice, bob):
    client.force_login(alice)
    assert 'href="/saved/"' in client.get("/alice/").content.decode()
    assert 'href="/saved/"' not in client.get("/bob/").content.decode()
