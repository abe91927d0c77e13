"""seed_demo's direct conversations (social/demo/messages.py): a fresh demo's inbox is not empty."""

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User
from posts.models import Post
from social.messages import selectors
from social.messages.models import Conversation

SMALL = {"users": 25, "posts_per_user": 2, "likes": 60, "comments": 10, "saves": 5, "media_pool": 4}


@pytest.mark.django_db
def test_a_fresh_demo_has_conversations_a_group_and_a_request(media_root):
    call_command("seed_demo", stdout=StringIO(), **SMALL)
    alice = User.objects.get(username="alice")
    inbox = selectors.threads_page(alice).items
    assert {row.title for row in inbox} >= {"bob", "Weekend plans"}
    with_bob = next(row for row in inbox if row.title == "bob")
    if Post.objects.visible_to(alice).filter(author__username="bob").exists():
        assert with_bob.last.kind == "post"  # bob shares one of his posts
    assert selectors.requests_count(alice) == 1
    # --reset starts again from nothing, without duplicates
    call_command("seed_demo", "--reset", stdout=StringIO(), **SMALL)
    assert Conversation.objects.filter(is_group=True).count() == 1
    assert Conversation.objects.filter(pair_key__isnull=False).count() == 2
