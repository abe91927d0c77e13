"""Demo data, from a few dozen people (the default, seconds) to a benchmark population
(10,000 users / 100,000 posts / 1,000,000 likes in a few minutes).

    python manage.py seed_demo                       # small demo: ~30 users, real images
    python manage.py seed_demo --users 10000 --posts-per-user 10 --likes 1000000   # benchmark scale
    python manage.py seed_demo --reset ...           # drop generated content first, then seed again

Running it twice is harmless: the demo users, moderator and admin are created only if missing, and
the generated population is added only when there is none yet (use --reset to replace it).

The work lives in social.demo: the plan (pure, from one seeded random.Random, so the same options
give the same rows), the image maker (the real upload pipeline; at large scale a pool of images is
shared among posts) and the bulk writer (COPY on PostgreSQL, executemany on SQLite, counters and
feed rows computed from the rows written; `check_counters` proves they match).
"""

from __future__ import annotations

import random
import time
from dataclasses import fields

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from accounts.avatars import ensure_default_avatar
from accounts.models import User
from instaclone.media.files import stored_files
from posts.models import Post
from social.demo import writer
from social.demo.images import make_images
from social.demo.messages import add_demo_conversations
from social.demo.plan import (
    DEMO_PASSWORD,
    DEMO_USERS,
    SEED_EMAIL_DOMAIN,
    DemoPerson,
    PlanOptions,
    make_plan,
    plan_bios,
)
from social.demo.stories import add_demo_stories, demo_stories_refresh

__all__ = ["DEMO_PASSWORD", "SEED_EMAIL_DOMAIN", "Command"]


class Command(BaseCommand):
    help = (
        "Create demo users (password: instaclone-demo), a demo moderator and admin, and a generated "
        "population of people, follows, posts with images, hashtags, mentions, likes, comments and saves."
    )

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=30, help="people in the population, demo users included (default 30)")
        parser.add_argument("--posts-per-user", type=float, default=3, help="average posts per person (default 3)")
        parser.add_argument("--follows", type=float, default=None, help="average accounts each person follows (default min(40, users/3))")
        parser.add_argument("--likes", type=int, default=None, help="total likes (default 4 per post)")
        parser.add_argument("--comments", type=int, default=None, help="total comments (default 1 per post)")
        parser.add_argument("--saves", type=int, default=None, help="total saves (default 1 per 2 posts)")
        parser.add_argument("--private", type=float, default=0.08, help="share of private accounts (default 0.08)")
        parser.add_argument("--blocks", type=float, default=0.01, help="blocks per person (default 0.01)")
        parser.add_argument("--media-pool", type=int, default=None,
                            help="generate this many images and share them among all posts when there are more "
                                 "images than that (default 80; 0 = every image unique)")
        parser.add_argument("--probe-followees", default="",
                            help="comma-separated sizes, e.g. 10,100,1000,5000: adds users probe_<n> who follow exactly n "
                                 "accounts (benchmarks)")
        parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
        parser.add_argument("--reset", action="store_true", help="delete all posts, graph rows and generated people first")

    def handle(self, *args, **opts):
        started = time.monotonic()
        ensure_default_avatar()
        if opts["reset"]:
            writer.reset_population()
            self.stdout.write("Reset: posts, graph rows and generated people deleted.")
        password_hash = make_password(DEMO_PASSWORD)
        created = writer.ensure_demo_accounts(password_hash)
        if writer.population_exists() or writer.demo_users_have_posts():
            # a re-run (scripts/run.sh seeds on every start): yesterday's stories have expired
            stories = demo_stories_refresh(random.Random(opts["seed"]))
            fresh = f", {stories} fresh stories" if stories else ""
        if writer.population_exists():
            self.stdout.write(self.style.SUCCESS(
                f"Demo data ready ({created} users created{fresh}; the generated population exists already — "
                "use --reset to replace it)."
            ))
            return
        if writer.demo_users_have_posts():
            self.stdout.write(self.style.SUCCESS(
                f"Demo data ready ({created} users created{fresh}; the demo users have posts already, so nothing is "
                "generated — use --reset to replace them)."
            ))
            return
        options = PlanOptions(**{f.name: opts[f.name] for f in fields(PlanOptions)})
        stats = self.populate(options, opts["seed"], password_hash, verbose=opts["verbosity"] >= 2)
        took = time.monotonic() - started
        summary = ", ".join(f"{v:,} {k}" for k, v in stats.items())
        self.stdout.write(self.style.SUCCESS(f"Demo data ready in {took:.1f}s ({created} demo users created; {summary})."))

    def populate(self, options: PlanOptions, seed: int, password_hash: str, *, verbose: bool) -> dict:
        """Plan, make the images, write. One rng, drawn from in this order (plan, images, bios)."""
        rng = random.Random(seed)
        w = writer.RowWriter(self.stdout, verbose)
        step_start = time.monotonic()

        def step(label):
            nonlocal step_start
            if verbose:
                self.stdout.write(f"{label} ({time.monotonic() - step_start:.1f}s)")
            step_start = time.monotonic()

        demo = [DemoPerson(u.pk, u.username, u.is_private)
                for u in User.objects.filter(username__in=[u[0] for u in DEMO_USERS]).order_by("pk")]
        plan = make_plan(
            rng, options, demo=demo, first_user_id=w.next_id(User), first_post_id=w.next_id(Post),
            taken_usernames=set(User.objects.values_list("username", flat=True)),
        )
        step("planned people, graph, posts and reactions")
        with stored_files() as batch:
            images = make_images(batch, rng, plan.n_images)
            plan_bios(rng, plan)
            step(f"stored {plan.n_images} images through the upload pipeline")
            # SQLite: no per-row foreign-key lookups while bulk writing rows that are consistent by
            # construction (as loaddata does); a no-op on PostgreSQL.
            disabled = connection.disable_constraint_checking()
            try:
                with transaction.atomic():
                    writer.skip_fk_triggers_on_postgresql()
                    stats = writer.write_population(w, plan, images, password_hash)
            finally:
                if disabled:
                    connection.enable_constraint_checking()
        step("written")
        stats["stories"] = add_demo_stories(rng)  # through the story service, after the bulk rows
        step("stories")
        stats["direct messages"] = add_demo_conversations(rng)  # through the messages services
        step("direct messages")
        writer.analyze_on_postgresql()
        step("analyzed")
        return stats
