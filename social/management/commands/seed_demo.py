"""Demo data, from a few dozen people (the default, seconds) to a benchmark population
(10,000 users / 100,000 posts / 1,000,000 likes in a few minutes).

    python manage.py seed_demo                       # small demo: ~30 users, real images
    python manage.py seed_demo --users 10000 --posts-per-user 10 --likes 1000000   # benchmark scale
    python manage.py seed_demo --reset ...           # drop generated content first, then seed again

Running it twice is harmless: the demo users, moderator and admin are created only if missing, and
the generated population is added only when there is none yet (use --reset to replace it).

Everything generated comes from one seeded random.Random, so the same options give the same rows.
The population is planned in memory with explicit ids, stored counters computed from the very rows
that are written, then written in batches (COPY on PostgreSQL, executemany on SQLite) — the model
layer would take minutes at benchmark scale. Images go through the real upload pipeline
(instaclone.media.images); at large scale a pool of images is shared among posts.
"""

from __future__ import annotations

import bisect
import io
import itertools
import json
import math
import random
import time
from collections import defaultdict
from datetime import UTC, datetime

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Max
from PIL import Image, ImageDraw

from accounts.avatars import ensure_default_avatar
from accounts.models import Block, Follow, FollowRequest, User
from instaclone.media.files import stored_files
from instaclone.media.images import process_image
from instaclone.media.renditions import make_renditions
from posts.models import Comment, Hashtag, Like, Post, PostHashtag, PostMedia, PostMention, Save
from social.models import FeedItem, Notification

DEMO_PASSWORD = "instaclone-demo"  # noqa: S105 - documented demo password
DEMO_USERS = [
    ("alice", "Alice Liddell", "Curiouser and curiouser. Photos from down the rabbit hole.", False),
    ("bob", "Bob Builder", "Can we fix it? Mostly concrete and sunsets.", False),
    ("charlie", "Charlie Brown", "Good grief.", False),
    ("dana", "Dana Scully", "The truth is out there. Private account.", True),
    ("eve", "Eve Polastri", "Travel, food, and the occasional mystery.", False),
]
# Generated people have addresses in this domain: that is how --reset and the "already seeded"
# check recognise them.
SEED_EMAIL_DOMAIN = "seed.instaclone.local"
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC).timestamp()  # fixed, so runs are reproducible
YEAR = 365 * 24 * 3600

FIRST = ["ada", "alan", "amir", "ana", "ben", "bea", "cai", "cleo", "dev", "dora", "eli", "emma", "finn", "gia", "hana", "ivo", "jack", "jade", "kai", "kim", "leo", "lia", "luca", "maya", "max", "mia", "nia", "noah", "omar", "ola", "pia", "raj", "rosa", "sam", "sara", "tao", "tom", "una", "vic", "wen", "yara", "zoe"]
LAST = ["smith", "garcia", "kim", "ito", "novak", "silva", "rossi", "muller", "dubois", "khan", "nguyen", "okafor", "berg", "costa", "lopez", "walker", "chen", "sato", "popov", "lind", "moreau", "haddad", "ali", "brown"]
WORDS = ["morning", "light", "coffee", "city", "walk", "sunset", "beach", "mountain", "trail", "river", "bread", "garden", "friends", "market", "street", "night", "rain", "window", "books", "music", "bike", "train", "road", "snow", "forest", "lake", "dinner", "lunch", "art", "museum", "bridge", "harbor", "sky", "clouds", "flowers", "dog", "cat", "picnic", "festival", "concert", "kitchen", "studio", "weekend", "holiday"]
TAG_WORDS = ["travel", "food", "photography", "nature", "sunset", "art", "fitness", "style", "summer", "winter", "city", "love", "instagood", "coffee", "beach", "friends", "family", "music", "dog", "cat", "architecture", "streetphotography", "portrait", "landscape", "vintage", "design", "yoga", "running", "hiking", "books", "baking", "vegan", "garden", "film", "bw", "minimal", "color"]
COMMENTS = (
    "Love this!", "Wow 😍", "So good", "Where is this?", "Amazing shot", "Take me there",
    "This made my day", "Beautiful colours", "🔥🔥🔥", "Need this right now", "Classic!",
    "Great light", "Incredible", "Haha yes", "Miss this place", "Goals", "Stunning",
)
PALETTES = [
    ((255, 94, 98), (255, 195, 113)), ((67, 206, 162), (24, 90, 157)), ((255, 175, 189), (255, 195, 160)),
    ((33, 147, 176), (109, 213, 237)), ((238, 9, 121), (255, 106, 0)), ((97, 67, 133), (81, 99, 149)),
    ((86, 171, 47), (168, 224, 99)), ((247, 151, 30), (255, 210, 0)), ((44, 62, 80), (76, 161, 175)),
    ((195, 20, 50), (36, 11, 54)), ((255, 255, 255), (180, 200, 220)), ((20, 30, 48), (36, 59, 85)),
]
ASPECTS = [(600, 600), (600, 750), (600, 338), (600, 600), (600, 750)]


# --- planning helpers -------------------------------------------------------------------------


class WeightedPicker:
    """Draw indexes in proportion to weights (cumulative sums + bisect: O(log n) a draw)."""

    def __init__(self, weights, rng: random.Random):
        self.cum = list(itertools.accumulate(weights))
        self.total = self.cum[-1]
        self.rng = rng

    def pick(self) -> int:
        return bisect.bisect_right(self.cum, self.rng.random() * self.total)

    def sample(self, k: int, exclude: set[int] | None = None) -> list[int]:
        """k distinct indexes (fewer if rejection keeps failing), none in exclude."""
        seen: set[int] = set()
        out: list[int] = []
        tries = 0
        max_tries = k * 20 + 100
        while len(out) < k and tries < max_tries:
            tries += 1
            i = self.pick()
            if i in seen or (exclude and i in exclude):
                continue
            seen.add(i)
            out.append(i)
        return out


def long_tail_counts(rng: random.Random, n: int, total: int, sigma: float, weights=None) -> list[int]:
    """Split `total` into n non-negative integers with a lognormal (long-tailed) spread, optionally
    scaled by per-item weights. The sum is exactly `total`."""
    if n == 0:
        return []
    raw = [rng.lognormvariate(0, sigma) * (weights[i] if weights else 1.0) for i in range(n)]
    scale = total / sum(raw)
    counts = [int(r * scale) for r in raw]
    rest = total - sum(counts)
    # hand out what rounding lost, largest fractional parts first
    order = sorted(range(n), key=lambda i: raw[i] * scale - counts[i], reverse=True)
    for i in order[: max(0, rest)]:
        counts[i] += 1
    return counts


# --- writing helpers --------------------------------------------------------------------------


class Writer:
    """Insert planned rows quickly with explicit ids, filling every column the plan does not set
    with the field's default (so fields added later by other apps do not break the seed)."""

    def __init__(self, stdout, verbose: bool):
        self.pg = connection.vendor == "postgresql"
        self.stdout = stdout
        self.verbose = verbose
        if not self.pg:
            with connection.cursor() as cursor:
                # random-order index inserts (likes, follows) need the index pages in memory
                cursor.execute("PRAGMA cache_size = -262144")

    def ts(self, epoch: float):
        if self.pg:
            return datetime.fromtimestamp(epoch, UTC)
        return datetime.fromtimestamp(epoch, UTC).replace(tzinfo=None).isoformat(" ")

    def next_id(self, model) -> int:
        return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1

    def insert(self, model, names: list[str], rows, batch: int = 5000) -> int:
        fields = [model._meta.get_field(n) for n in names]
        extra = [f for f in model._meta.concrete_fields if f.name not in names and not f.primary_key]
        extra_values = []
        for f in extra:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                extra_values.append(self.ts(NOW))
                continue
            value = f.get_default()  # the declared default, or "" for text fields, or None
            if value is None and not f.null:
                raise CommandError(f"seed_demo does not know how to fill {model.__name__}.{f.name}")
            if isinstance(value, dict | list):
                value = json.dumps(value)
            extra_values.append(value)
        columns = [f.column for f in fields] + [f.column for f in extra]
        extra_tuple = tuple(extra_values)
        table = connection.ops.quote_name(model._meta.db_table)
        cols = ", ".join(connection.ops.quote_name(c) for c in columns)
        count = 0
        start = time.monotonic()
        with connection.cursor() as cursor:
            if self.pg:
                with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row + extra_tuple if extra_tuple else row)
                        count += 1
            else:
                sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608 - quoted model names
                it = iter(rows)
                while True:
                    chunk = list(itertools.islice(it, batch))
                    if not chunk:
                        break
                    if extra_tuple:
                        chunk = [r + extra_tuple for r in chunk]
                    cursor.executemany(sql, chunk)
                    count += len(chunk)
        if self.verbose:
            self.stdout.write(f"  {model.__name__}: {count:,} rows in {time.monotonic() - start:.1f}s")
        return count

    def reset_sequences(self, models) -> None:
        if not self.pg:
            return  # SQLite's AUTOINCREMENT follows explicit ids by itself
        with connection.cursor() as cursor:
            for model in models:
                table = model._meta.db_table
                quoted = connection.ops.quote_name(table)
                sql = f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {quoted}"  # noqa: S608 - quoted model name
                cursor.execute(sql, [table])


def skip_fk_triggers_on_postgresql() -> None:
    """PostgreSQL checks deferred foreign keys row by row at COMMIT (minutes for millions of rows).
    A superuser may skip those triggers for this transaction; anyone else keeps them (slower)."""
    if connection.vendor != "postgresql":
        return
    from django.db import DatabaseError

    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        pass


# --- images -----------------------------------------------------------------------------------


def generate_image(rng: random.Random) -> bytes:
    """A small, pleasant, deterministic picture: a diagonal gradient with a few soft shapes."""
    w, h = rng.choice(ASPECTS)
    c1, c2 = rng.choice(PALETTES)
    grad = Image.linear_gradient("L").rotate(rng.choice((0, 45, 90, 135)), expand=False).resize((w, h))
    img = Image.merge(
        "RGB",
        [grad.point(lambda v, a=c1[i], b=c2[i]: a + (b - a) * v // 255) for i in range(3)],
    )
    draw = ImageDraw.Draw(img)
    for _ in range(rng.randint(1, 4)):
        r = rng.randint(w // 12, w // 4)
        x, y = rng.randint(0, w), rng.randint(0, h)
        colour = tuple(min(255, v + rng.randint(-60, 60)) for v in rng.choice(PALETTES)[rng.randint(0, 1)])
        if rng.random() < 0.6:
            draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
        else:
            draw.rectangle((x - r, y - r // 2, x + r, y + r // 2), fill=colour)
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=90)
    return out.getvalue()


def store_image(batch, data: bytes) -> dict:
    """Run generated bytes through the real upload pipeline and store the photo and its renditions."""
    processed, img = process_image(SimpleUploadedFile("seed.jpg", data, content_type="image/jpeg"))
    name = batch.save("posts", processed.extension, processed.content)
    return {"file": name, "width": processed.width, "height": processed.height,
            "renditions": make_renditions(batch, img)}


# --- the command ------------------------------------------------------------------------------


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

    # ----------------------------------------------------------------------------------------

    def handle(self, *args, **opts):
        from allauth.account.models import EmailAddress

        verbosity = opts["verbosity"]
        started = time.monotonic()
        ensure_default_avatar()
        if opts["reset"]:
            self.reset()
        password_hash = make_password(DEMO_PASSWORD)
        created = 0
        with transaction.atomic():
            for username, name, bio, private in DEMO_USERS:
                user, was_created = User.objects.get_or_create(
                    username=username,
                    defaults={"email": f"{username}@example.com", "display_name": name, "bio": bio,
                              "is_private": private, "password": password_hash},
                )
                if was_created:
                    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
                    created += 1
            moderators = Group.objects.get(name="Moderators")
            for username, staff, superuser in (("demo_mod", True, False), ("demo_admin", True, True)):
                user, was_created = User.objects.get_or_create(
                    username=username,
                    defaults={"email": f"{username}@example.com", "is_staff": staff, "is_superuser": superuser,
                              "password": password_hash},
                )
                if was_created:
                    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
                    created += 1
                if not superuser:
                    user.groups.add(moderators)

        if User.objects.filter(email__endswith="@" + SEED_EMAIL_DOMAIN).exists():
            self.stdout.write(self.style.SUCCESS(
                f"Demo data ready ({created} users created; the generated population exists already — "
                "use --reset to replace it)."
            ))
            return
        if Post.objects.filter(author__username__in=[u[0] for u in DEMO_USERS]).exists():
            self.stdout.write(self.style.SUCCESS(
                f"Demo data ready ({created} users created; the demo users have posts already, so nothing is "
                "generated — use --reset to replace them)."
            ))
            return

        stats = self.populate(opts, password_hash, verbose=verbosity >= 2)
        took = time.monotonic() - started
        summary = ", ".join(f"{v:,} {k}" for k, v in stats.items())
        self.stdout.write(self.style.SUCCESS(f"Demo data ready in {took:.1f}s ({created} demo users created; {summary})."))

    # ----------------------------------------------------------------------------------------

    def reset(self):
        """Delete every post and graph row and the generated people (demo users stay, counters zeroed)."""
        with transaction.atomic():
            for model in (Notification, FeedItem, Comment, Like, Save, PostMention, PostHashtag, PostMedia):
                model.objects.all()._raw_delete(model.objects.db)
            for model in (Post, Hashtag, Follow, FollowRequest, Block):
                model.objects.all().delete()
            User.objects.filter(email__endswith="@" + SEED_EMAIL_DOMAIN).delete()
            User.objects.update(post_count=0, follower_count=0, following_count=0)
        # Files of the deleted posts are left in storage: the seed names them uniquely, never reuses them.
        self.stdout.write("Reset: posts, graph rows and generated people deleted.")

    # ----------------------------------------------------------------------------------------

    def populate(self, opts, password_hash: str, *, verbose: bool) -> dict:  # noqa: C901 - one plan, top to bottom
        from allauth.account.models import EmailAddress

        rng = random.Random(opts["seed"])
        w = Writer(self.stdout, verbose)
        step_start = time.monotonic()

        def step(label):
            nonlocal step_start
            if verbose:
                self.stdout.write(f"{label} ({time.monotonic() - step_start:.1f}s)")
            step_start = time.monotonic()

        # ---- people -------------------------------------------------------------------------
        demo = list(User.objects.filter(username__in=[u[0] for u in DEMO_USERS]).order_by("pk"))
        probes = [int(x) for x in opts["probe_followees"].split(",") if x.strip()]
        n_total = max(opts["users"], len(demo) + 2)
        n_new = n_total - len(demo)
        first_id = w.next_id(User)
        ids = [u.pk for u in demo] + list(range(first_id, first_id + n_new))
        n = len(ids)
        private = [u.is_private for u in demo] + [rng.random() < opts["private"] for _ in range(n_new)]
        existing = {u.lower() for u in User.objects.values_list("username", flat=True)}
        names = []
        usernames = []
        for i in range(n_new):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            username = f"{first}.{last}{i}" if rng.random() < 0.5 else f"{first}_{last}{i}"
            while username.lower() in existing:
                username += "_"
            existing.add(username.lower())
            usernames.append(username)
            names.append(f"{first.title()} {last.title()}")
        joined = [NOW - rng.random() * 2 * YEAR for _ in range(n_new)]
        probe_ids = list(range(first_id + n_new, first_id + n_new + len(probes)))

        # ---- follow graph: power law in, long tail out ---------------------------------------
        # Popularity is Zipf over a random ranking plus a uniform floor sized so that the most
        # popular account is followed by about 15% of people at large scale.
        avg_follows = opts["follows"] if opts["follows"] is not None else min(40.0, n / 3)
        avg_follows = min(avg_follows, n - 1)
        order = list(range(n))
        rng.shuffle(order)
        harmonic = sum(1 / r for r in range(1, n + 1))
        floor = max(0.0, (avg_follows / 0.15 - harmonic) / n)
        popularity = [0.0] * n
        for rank, idx in enumerate(order, start=1):
            popularity[idx] = 1 / rank + floor
        top_decile = sorted(popularity)[-max(1, n // 10)]
        for i in range(len(demo)):
            popularity[i] = max(popularity[i], top_decile)  # demo users are well followed
        picker = WeightedPicker(popularity, rng)
        out_degree = long_tail_counts(rng, n, int(avg_follows * n), 1.0)
        following: list[list[int]] = []
        for i in range(n):
            k = min(out_degree[i], n - 1)
            following.append(picker.sample(k, exclude={i}))
        # blocks: the blocker and the blocked follow neither way
        blocks = set()
        for _ in range(int(opts["blocks"] * n)):
            a, b = rng.randrange(n), rng.randrange(n)
            if a != b:
                blocks.add((a, b))
        blocked_pairs = blocks | {(b, a) for a, b in blocks}
        if blocked_pairs:
            following = [[j for j in fl if (i, j) not in blocked_pairs] for i, fl in enumerate(following)]
        # pending follow requests to private accounts from people who do not follow them yet
        requests = set()
        private_idx = [i for i in range(n) if private[i]]
        for _ in range(min(len(private_idx) * 3, 5000)):
            if not private_idx:
                break
            t, r = rng.choice(private_idx), rng.randrange(n)
            if r != t and (r, t) not in blocked_pairs and t not in following[r]:
                requests.add((r, t))
        followers: list[list[int]] = [[] for _ in range(n)]
        for i, fl in enumerate(following):
            for j in fl:
                followers[j].append(i)
        step("planned people and graph")

        # ---- posts ------------------------------------------------------------------------
        total_posts = int(opts["posts_per_user"] * n)
        # prolific posters are often popular: weight by popularity a little
        post_counts = long_tail_counts(rng, n, total_posts, 1.1, weights=[p ** 0.3 for p in popularity])
        first_post = w.next_id(Post)
        post_author: list[int] = []
        post_created: list[float] = []
        for i, c in enumerate(post_counts):
            start = joined[i - len(demo)] if i >= len(demo) else NOW - 2 * YEAR
            for _ in range(c):
                post_author.append(i)
                post_created.append(start + rng.random() * (NOW - start))
        n_posts = len(post_author)
        tag_weights = [1 / (r + 1) for r in range(len(TAG_WORDS) * 3)]
        tag_names = TAG_WORDS + [a + b for a, b in zip(rng.sample(TAG_WORDS, len(TAG_WORDS)), TAG_WORDS, strict=True)] + \
            [f"{t}{y}" for t, y in zip(TAG_WORDS, itertools.cycle(("2025", "2026", "daily")), strict=False)]
        tag_names = list(dict.fromkeys(tag_names))
        tag_picker = WeightedPicker(tag_weights[: len(tag_names)], rng)
        all_usernames = [u.username for u in demo] + usernames
        captions = []
        post_tags: list[list[int]] = []
        post_mentions: list[list[int]] = []
        for p in range(n_posts):
            a = post_author[p]
            words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 9))).capitalize()
            tags = tag_picker.sample(rng.choice((0, 1, 1, 2, 3)))
            mentions = []
            if following[a] and rng.random() < 0.15:
                mentions = [rng.choice(following[a])]
            text = words + "."
            if mentions:
                text += f" With @{all_usernames[mentions[0]]}"
            if tags:
                text += " " + " ".join("#" + tag_names[t] for t in tags)
            captions.append(text)
            post_tags.append(tags)
            post_mentions.append(mentions)
        step("planned posts")

        # ---- likes, comments, saves ---------------------------------------------------------
        like_total = opts["likes"] if opts["likes"] is not None else 4 * n_posts
        comment_total = opts["comments"] if opts["comments"] is not None else n_posts
        save_total = opts["saves"] if opts["saves"] is not None else n_posts // 2
        author_weight = [math.sqrt(len(followers[post_author[p]]) + 1) for p in range(n_posts)]

        def audience(p: int) -> list[int] | None:
            """Who may react to post p: the author's followers if private, else anyone (None)."""
            a = post_author[p]
            return followers[a] if private[a] else None

        def reactors(p: int, k: int) -> list[int]:
            a = post_author[p]
            pool = audience(p)
            if pool is None:
                k = min(k, n - 1)
                chosen = rng.sample(range(n), k + 1) if k + 1 <= n else list(range(n))
            else:
                chosen = rng.sample(pool, min(k, len(pool)))
            return [u for u in chosen if u != a and (u, a) not in blocked_pairs][:k]

        like_counts = long_tail_counts(rng, n_posts, like_total, 1.3, weights=author_weight) if n_posts else []
        likes: list[tuple[int, int]] = []  # (post index, user index)
        for p, k in enumerate(like_counts):
            for u in reactors(p, k):
                likes.append((p, u))
        comment_counts = long_tail_counts(rng, n_posts, comment_total, 1.5, weights=author_weight) if n_posts else []
        comments: list[tuple[int, int]] = []
        for p, k in enumerate(comment_counts):
            pool = audience(p)
            a = post_author[p]
            for _ in range(k):
                u = rng.choice(pool) if pool else rng.randrange(n)
                if (u, a) not in blocked_pairs:
                    comments.append((p, u))
        saves = set()
        for _ in range(save_total):
            if not n_posts:
                break
            p = rng.randrange(n_posts)
            pool = audience(p)
            u = rng.choice(pool) if pool else rng.randrange(n)
            if u != post_author[p] and (u, post_author[p]) not in blocked_pairs:
                saves.add((p, u))
        step("planned reactions")

        # ---- media ------------------------------------------------------------------------
        media_per_post = [rng.choice((1, 1, 1, 2, 3)) for _ in range(n_posts)]
        pool_size = opts["media_pool"] if opts["media_pool"] is not None else 80
        if pool_size == 0 or pool_size >= sum(media_per_post):
            pool_size = 0  # every post gets images of its own
        n_images = sum(media_per_post) if pool_size == 0 else pool_size

        with stored_files() as batch:
            images = [store_image(batch, generate_image(rng)) for _ in range(n_images)]
            step(f"stored {n_images} images through the upload pipeline")
            # SQLite: no per-row foreign-key lookups while bulk writing rows that are consistent by
            # construction (as loaddata does); a no-op on PostgreSQL.
            disabled = connection.disable_constraint_checking()
            try:
                with transaction.atomic():
                    skip_fk_triggers_on_postgresql()
                    stats = self.write(
                        w, rng, password_hash, demo, ids, usernames, names, private, joined, following, followers,
                        blocks, requests, post_author, post_created, captions, post_tags, post_mentions, tag_names,
                        likes, comments, saves, media_per_post, images, pool_size, first_post, probes, probe_ids,
                        EmailAddress,
                    )
            finally:
                if disabled:
                    connection.enable_constraint_checking()
        step("written")
        if connection.vendor == "postgresql":
            # Fresh planner statistics: without them PostgreSQL plans the feed as if the tables were
            # empty (seq scan of every post, 0.5 s; 8 ms after ANALYZE). Autovacuum would get there later.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            step("analyzed")
        return stats

    # ----------------------------------------------------------------------------------------

    def write(self, w, rng, password_hash, demo, ids, usernames, names, private, joined, following, followers,
              blocks, requests, post_author, post_created, captions, post_tags, post_mentions, tag_names,
              likes, comments, saves, media_per_post, images, pool_size, first_post, probes, probe_ids,
              EmailAddress) -> dict:
        n = len(ids)
        n_demo = len(demo)
        n_posts = len(post_author)
        post_ids = list(range(first_post, first_post + n_posts))
        post_count = [0] * n
        for a in post_author:
            post_count[a] += 1

        # probes: benchmark users who follow exactly N accounts (the most prolific first, so the
        # feed is deep), and whom nobody follows
        by_posts = sorted(range(n), key=lambda i: (-post_count[i], i))
        probe_following = [by_posts[: min(k, n)] for k in probes]
        follower_count = [len(f) for f in followers]
        for fl in probe_following:
            for j in fl:
                follower_count[j] += 1

        # users
        users_rows = []
        for k in range(n - n_demo):
            i = n_demo + k
            users_rows.append((
                ids[i], usernames[k], f"{usernames[k]}@{SEED_EMAIL_DOMAIN}", names[k],
                rng.choice(("", "", "Photos and thoughts.", "Coffee first.", "Somewhere between here and there.")),
                private[i], password_hash, w.ts(joined[k]), post_count[i], follower_count[i], len(following[i]),
            ))
        for k, size in enumerate(probes):
            users_rows.append((
                probe_ids[k], f"probe_{size}", f"probe_{size}@{SEED_EMAIL_DOMAIN}", f"Probe {size}", "", False,
                password_hash, w.ts(NOW - YEAR), 0, 0, len(probe_following[k]),
            ))
        w.insert(User, ["id", "username", "email", "display_name", "bio", "is_private", "password", "date_joined",
                        "post_count", "follower_count", "following_count"], users_rows)
        for i, user in enumerate(demo):
            User.objects.filter(pk=user.pk).update(
                post_count=post_count[i], follower_count=follower_count[i], following_count=len(following[i])
            )
        first_email = w.next_id(EmailAddress)
        w.insert(EmailAddress, ["id", "user", "email", "primary", "verified"],
                 ((first_email + k, r[0], r[2], True, True) for k, r in enumerate(users_rows)))

        # graph
        first_follow = w.next_id(Follow)
        follow_rows = []
        for i, fl in enumerate(following):
            for j in fl:
                follow_rows.append((ids[i], ids[j], max(joined[i - n_demo] if i >= n_demo else 0,
                                                        joined[j - n_demo] if j >= n_demo else 0)))
        for k, fl in enumerate(probe_following):
            for j in fl:
                follow_rows.append((probe_ids[k], ids[j], NOW - YEAR))
        w.insert(Follow, ["id", "follower", "followee", "created"],
                 ((first_follow + k, a, b, w.ts(max(t, NOW - 2 * YEAR) + 60)) for k, (a, b, t) in enumerate(follow_rows)))
        first_block = w.next_id(Block)
        w.insert(Block, ["id", "blocker", "blocked", "created"],
                 ((first_block + k, ids[a], ids[b], w.ts(NOW - 86400 * (k % 300))) for k, (a, b) in enumerate(sorted(blocks))))
        first_req = w.next_id(FollowRequest)
        w.insert(FollowRequest, ["id", "requester", "target", "created"],
                 ((first_req + k, ids[a], ids[b], w.ts(NOW - 3600 * (k % 500))) for k, (a, b) in enumerate(sorted(requests))))

        # hashtags (reuse existing rows by name)
        tag_ids = dict(Hashtag.objects.filter(name__in=tag_names).values_list("name", "pk"))
        missing = [t for t in tag_names if t not in tag_ids]
        first_tag = w.next_id(Hashtag)
        w.insert(Hashtag, ["id", "name", "created"], ((first_tag + k, t, w.ts(NOW - 2 * YEAR)) for k, t in enumerate(missing)))
        tag_ids.update({t: first_tag + k for k, t in enumerate(missing)})
        tag_id_by_index = [tag_ids[t] for t in tag_names]

        # posts and what hangs off them
        like_count = [0] * n_posts
        for p, _u in likes:
            like_count[p] += 1
        comment_count = [0] * n_posts
        for p, _u in comments:
            comment_count[p] += 1
        w.insert(Post, ["id", "author", "caption", "created", "updated", "like_count", "comment_count", "media_count",
                        "has_video"],
                 ((post_ids[p], ids[post_author[p]], captions[p], w.ts(post_created[p]), w.ts(post_created[p]),
                   like_count[p], comment_count[p], media_per_post[p], False) for p in range(n_posts)))

        def media_rows():
            k = 0
            for p in range(n_posts):
                for pos in range(media_per_post[p]):
                    img = images[(p * 7 + pos) % len(images)] if pool_size else images[k]
                    k += 1
                    yield (post_ids[p], pos, "image", img["file"], img["width"], img["height"], "",
                           json.dumps(img["renditions"]))

        first_media = w.next_id(PostMedia)
        w.insert(PostMedia, ["id", "post", "position", "kind", "file", "width", "height", "alt_text", "renditions"],
                 ((first_media + k, *row) for k, row in enumerate(media_rows())))
        first_ph = w.next_id(PostHashtag)
        w.insert(PostHashtag, ["id", "post", "hashtag", "created"],
                 ((first_ph + k, post_ids[p], tag_id_by_index[t], w.ts(post_created[p]))
                  for k, (p, t) in enumerate((p, t) for p in range(n_posts) for t in post_tags[p])))
        first_pm = w.next_id(PostMention)
        w.insert(PostMention, ["id", "post", "user"],
                 ((first_pm + k, post_ids[p], ids[u])
                  for k, (p, u) in enumerate((p, u) for p in range(n_posts) for u in post_mentions[p])))

        def after(p, k):
            """A time after post p was made, spread over the following weeks (never in the future)."""
            return w.ts(min(NOW, post_created[p] + 60 + (k * 7919 % 1000) / 1000 * 21 * 86400))

        first_like = w.next_id(Like)
        w.insert(Like, ["id", "user", "post", "created"],
                 ((first_like + k, ids[u], post_ids[p], after(p, k)) for k, (p, u) in enumerate(likes)))
        first_comment = w.next_id(Comment)
        w.insert(Comment, ["id", "post", "author", "body", "created", "is_hidden"],
                 ((first_comment + k, post_ids[p], ids[u], COMMENTS[k % len(COMMENTS)], after(p, k), False)
                  for k, (p, u) in enumerate(comments)))
        first_save = w.next_id(Save)
        w.insert(Save, ["id", "user", "post", "created"],
                 ((first_save + k, ids[u], post_ids[p], after(p, k)) for k, (p, u) in enumerate(sorted(saves))))

        # home feed index (fan-out on write): own posts plus every followee's posts
        posts_by_author: dict[int, list[int]] = defaultdict(list)
        for p in range(n_posts):
            posts_by_author[post_author[p]].append(p)

        def feed_rows():
            for i in range(n):
                for a in (i, *following[i]):
                    for p in posts_by_author.get(a, ()):
                        yield (ids[i], post_ids[p], ids[a], post_created[p])
            for k, fl in enumerate(probe_following):
                for a in fl:
                    for p in posts_by_author.get(a, ()):
                        yield (probe_ids[k], post_ids[p], ids[a], post_created[p])

        first_feed = w.next_id(FeedItem)
        n_feed = w.insert(FeedItem, ["id", "owner", "post", "author", "created"],
                          ((first_feed + k, o, p, a, w.ts(t)) for k, (o, p, a, t) in enumerate(feed_rows())))

        # a few notifications for the demo users, so their page is not empty
        notif_rows = []
        demo_idx = set(range(n_demo))
        for k, (p, u) in enumerate(likes):
            if post_author[p] in demo_idx and len(notif_rows) < 400:
                notif_rows.append((ids[post_author[p]], ids[u], Notification.Kind.LIKE, post_ids[p], after(p, k)))
        for i in demo_idx:
            for f in followers[i][:20]:
                notif_rows.append((ids[i], ids[f], Notification.Kind.FOLLOW, None, w.ts(NOW - 3600 * (f % 200))))
        first_notif = w.next_id(Notification)
        w.insert(Notification, ["id", "recipient", "actor", "kind", "post", "created"],
                 ((first_notif + k, *row) for k, row in enumerate(notif_rows)))

        w.reset_sequences([User, EmailAddress, Follow, Block, FollowRequest, Hashtag, Post, PostMedia, PostHashtag,
                           PostMention, Like, Comment, Save, FeedItem, Notification])
        return {
            "users": n + len(probes), "follows": len(follow_rows), "posts": n_posts, "likes": len(likes),
            "comments": len(comments), "saves": len(saves), "feed items": n_feed,
            "images": len(images),
        }
