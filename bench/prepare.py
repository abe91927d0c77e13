"""Django-side preparation for a benchmark run (run with DJANGO_SETTINGS_MODULE=bench.settings).

Prints JSON: session cookies for the probe users (signed in through Django's test client, which
writes a real session row), a CSRF token, and the ids and names the pages need (a popular post, a
popular public profile, a common hashtag, posts to like).
"""

import json
import os
import secrets
import string
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.models import User  # noqa: E402
from posts.models import Hashtag, Post  # noqa: E402


def session_for(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def main():
    probes = {}
    for user in User.objects.filter(username__startswith="probe_").order_by("following_count"):
        probes[user.username] = {"followees": user.following_count, "session": session_for(user)}
    if not probes:  # a database seeded without probes: the demo user alice stands in
        alice = User.objects.get(username="alice")
        probes["alice"] = {"followees": alice.following_count, "session": session_for(alice)}
    public_posts = Post.objects.filter(author__is_private=False, is_hidden=False, author__is_active=True)
    post = public_posts.order_by("-like_count", "-id").first()
    profile = User.objects.filter(is_private=False, is_active=True).order_by("-follower_count", "id").first()
    tag = Hashtag.objects.annotate(n=Count("posthashtag")).order_by("-n", "id").first()
    like_posts = list(public_posts.order_by("-created", "-id").values_list("pk", flat=True)[:64])
    alphabet = string.ascii_letters + string.digits
    print(json.dumps({
        "probes": probes,
        "csrf": "".join(secrets.choice(alphabet) for _ in range(32)),
        "post_id": post.pk if post else None,
        "profile": profile.username if profile else None,
        "tag": tag.name if tag else None,
        "search": profile.username[:3] if profile else "a",
        "like_posts": like_posts,
        "counts": {
            "users": User.objects.count(),
            "posts": Post.objects.count(),
        },
    }))


if __name__ == "__main__":
    main()
