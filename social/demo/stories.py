"""A few stories on a fresh demo, so the feed's tray is not empty: the first people alice follows
and two of the other demo users get one or two each, through `posts.stories.services.story_create`
(the real upload pipeline, as a phone's upload would go; about 10 ms a story), and alice has
already watched the last person's, so her tray shows a grey ring after the coloured ones. Stories
expire after a day: a later run of seed_demo (scripts/run.sh runs it on every start) adds a fresh
set when none is live (`demo_stories_refresh`), so the tray is never empty on a demo."""

from __future__ import annotations

import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.models import Follow, User
from posts.stories.models import Story
from posts.stories.services import story_create, story_views_record

from .images import PALETTES

STORY_PEOPLE = 6  # how many of alice's followees get stories
STORY_SIZE = (540, 960)  # 9:16, as a phone's story


def story_image(rng: random.Random) -> bytes:
    """A portrait gradient with a sun and a horizon: deterministic for a given rng."""
    w, h = STORY_SIZE
    top, bottom = rng.choice(PALETTES)
    grad = Image.linear_gradient("L").resize((w, h))
    img = Image.merge("RGB", [grad.point(lambda v, a=top[i], b=bottom[i]: a + (b - a) * v // 255) for i in range(3)])
    draw = ImageDraw.Draw(img)
    r = rng.randint(w // 6, w // 3)
    x, y = rng.randint(r, w - r), rng.randint(h // 5, h // 2)
    draw.ellipse((x - r, y - r, x + r, y + r), fill=(255, 244, 214))
    horizon = rng.randint(h * 3 // 5, h * 4 // 5)
    draw.rectangle((0, horizon, w, h), fill=tuple(max(0, c - 70) for c in bottom))
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=88)
    return out.getvalue()


def add_demo_stories(rng: random.Random) -> int:
    """Stories for a few people (see the module's docstring); how many were added."""
    alice = User.objects.filter(username="alice").first()
    if alice is None:
        return 0
    followees = Follow.objects.filter(follower=alice).values("followee_id")
    followed = list(User.objects.filter(pk__in=followees, is_active=True).order_by("pk")[:STORY_PEOPLE])
    people = followed + list(User.objects.filter(username__in=["bob", "eve"]).exclude(pk__in=[p.pk for p in followed]).order_by("pk"))
    added = []
    for person in people:
        for _ in range(rng.randint(1, 2)):
            photo = SimpleUploadedFile("story.jpg", story_image(rng), content_type="image/jpeg")
            added.append(story_create(author=person, upload=photo, alt_text=f"A sunset, by {person.username}"))
    if followed:
        story_views_record(viewer=alice, story_ids=[s.pk for s in added if s.author_id == followed[-1].pk])
    return len(added)


def demo_stories_refresh(rng: random.Random) -> int:
    """The demo's stories again when none is live any more (they expired since the last run); how
    many were added (none while some are live: a re-run within the day changes nothing)."""
    if Story.objects.filter(expires_at__gt=timezone.now()).exists():
        return 0
    return add_demo_stories(rng)
