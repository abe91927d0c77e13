"""The population plan: who exists, who follows whom, who posts, likes, comments and saves what.

Pure data: `make_plan` reads no database and writes nothing. Everything it decides comes from one
seeded `random.Random` and the few facts about the database it is handed (the demo users, the next
free ids, the usernames already taken), so the same inputs always give the same plan.

People are indexes 0..n-1 (the demo users first, then generated people); posts are indexes
0..n_posts-1. The writer (social.demo.writer) turns indexes into ids.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime

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
BIOS = ("", "", "Photos and thoughts.", "Coffee first.", "Somewhere between here and there.")


# --- drawing helpers --------------------------------------------------------------------------


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


# --- the plan ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanOptions:
    """The command's population options (see `seed_demo --help`)."""

    users: int = 30
    posts_per_user: float = 3
    follows: float | None = None
    likes: int | None = None
    comments: int | None = None
    saves: int | None = None
    private: float = 0.08
    blocks: float = 0.01
    media_pool: int | None = None
    probe_followees: str = ""


@dataclass(frozen=True)
class DemoPerson:
    """A demo user that already exists in the database (planned as a person, not written)."""

    pk: int
    username: str
    is_private: bool


@dataclass
class Plan:
    # people (index i; demo people first; generated people's own lists are indexed i - n_demo)
    ids: list[int]
    n_demo: int
    usernames: list[str]  # generated people only
    names: list[str]  # generated people only
    joined: list[float]  # generated people only
    private: list[bool]
    probes: list[int]  # sizes of the probe_<n> users
    probe_ids: list[int]
    # graph
    following: list[list[int]]
    followers: list[list[int]]
    blocks: set[tuple[int, int]]
    requests: set[tuple[int, int]]
    # posts
    post_ids: list[int]
    post_author: list[int]
    post_created: list[float]
    captions: list[str]
    post_tags: list[list[int]]
    post_mentions: list[list[int]]
    tag_names: list[str]
    # reactions: (post index, person index)
    likes: list[tuple[int, int]]
    comments: list[tuple[int, int]]
    saves: set[tuple[int, int]]
    # media
    media_per_post: list[int]
    pool_size: int  # 0: every image its own; else this many images shared among posts
    n_images: int
    bios: list[str] = field(default_factory=list)  # generated people; drawn after the images (see plan_bios)

    @property
    def n(self) -> int:
        return len(self.ids)


def make_plan(
    rng: random.Random,
    options: PlanOptions,
    *,
    demo: list[DemoPerson],
    first_user_id: int,
    first_post_id: int,
    taken_usernames: set[str],
) -> Plan:
    """Plan the whole population. `rng` is advanced; call `plan_bios` with it after the images."""
    people = _plan_people(rng, options, demo, first_user_id, taken_usernames)
    graph = _plan_graph(rng, options, people)
    all_usernames = [u.username for u in demo] + people["usernames"]
    posts = _plan_posts(rng, options, people, graph, first_post_id, all_usernames)
    reactions = _plan_reactions(rng, options, people, graph, posts)
    media = _plan_media(rng, options, len(posts["post_author"]))
    return Plan(**people, **{k: v for k, v in graph.items() if k not in ("popularity", "blocked_pairs")},
                **posts, **reactions, **media)


def plan_bios(rng: random.Random, plan: Plan) -> None:
    """The generated people's bios. Drawn from the same rng *after* the images were made (the order
    the original single-file command drew them in, so a seed keeps giving the same population)."""
    plan.bios = [rng.choice(BIOS) for _ in range(plan.n - plan.n_demo)]


def _plan_people(rng, options, demo, first_id, taken):
    probes = [int(x) for x in options.probe_followees.split(",") if x.strip()]
    n_total = max(options.users, len(demo) + 2)
    n_new = n_total - len(demo)
    ids = [u.pk for u in demo] + list(range(first_id, first_id + n_new))
    private = [u.is_private for u in demo] + [rng.random() < options.private for _ in range(n_new)]
    existing = {u.lower() for u in taken}
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
    return {"ids": ids, "n_demo": len(demo), "usernames": usernames, "names": names, "joined": joined,
            "private": private, "probes": probes, "probe_ids": probe_ids}


def _plan_graph(rng, options, people):
    """Follow graph: power law in, long tail out. Popularity is Zipf over a random ranking plus a
    uniform floor sized so that the most popular account is followed by about 15% of people at
    large scale."""
    n, n_demo, private = len(people["ids"]), people["n_demo"], people["private"]
    avg_follows = options.follows if options.follows is not None else min(40.0, n / 3)
    avg_follows = min(avg_follows, n - 1)
    order = list(range(n))
    rng.shuffle(order)
    harmonic = sum(1 / r for r in range(1, n + 1))
    floor = max(0.0, (avg_follows / 0.15 - harmonic) / n)
    popularity = [0.0] * n
    for rank, idx in enumerate(order, start=1):
        popularity[idx] = 1 / rank + floor
    top_decile = sorted(popularity)[-max(1, n // 10)]
    for i in range(n_demo):
        popularity[i] = max(popularity[i], top_decile)  # demo users are well followed
    picker = WeightedPicker(popularity, rng)
    out_degree = long_tail_counts(rng, n, int(avg_follows * n), 1.0)
    following: list[list[int]] = []
    for i in range(n):
        k = min(out_degree[i], n - 1)
        following.append(picker.sample(k, exclude={i}))
    # blocks: the blocker and the blocked follow neither way
    blocks = set()
    for _ in range(int(options.blocks * n)):
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
    return {"following": following, "followers": followers, "blocks": blocks, "requests": requests,
            "popularity": popularity, "blocked_pairs": blocked_pairs}


def _plan_posts(rng, options, people, graph, first_post, all_usernames):
    n, n_demo, joined = len(people["ids"]), people["n_demo"], people["joined"]
    following = graph["following"]
    total_posts = int(options.posts_per_user * n)
    # prolific posters are often popular: weight by popularity a little
    post_counts = long_tail_counts(rng, n, total_posts, 1.1, weights=[p ** 0.3 for p in graph["popularity"]])
    post_author: list[int] = []
    post_created: list[float] = []
    for i, c in enumerate(post_counts):
        start = joined[i - n_demo] if i >= n_demo else NOW - 2 * YEAR
        for _ in range(c):
            post_author.append(i)
            post_created.append(start + rng.random() * (NOW - start))
    n_posts = len(post_author)
    tag_weights = [1 / (r + 1) for r in range(len(TAG_WORDS) * 3)]
    tag_names = TAG_WORDS + [a + b for a, b in zip(rng.sample(TAG_WORDS, len(TAG_WORDS)), TAG_WORDS, strict=True)] + \
        [f"{t}{y}" for t, y in zip(TAG_WORDS, itertools.cycle(("2025", "2026", "daily")), strict=False)]
    tag_names = list(dict.fromkeys(tag_names))
    tag_picker = WeightedPicker(tag_weights[: len(tag_names)], rng)
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
    return {"post_ids": list(range(first_post, first_post + n_posts)), "post_author": post_author,
            "post_created": post_created, "captions": captions, "post_tags": post_tags,
            "post_mentions": post_mentions, "tag_names": tag_names}


def _plan_reactions(rng, options, people, graph, posts):
    n = len(people["ids"])
    private, followers, blocks = people["private"], graph["followers"], graph["blocked_pairs"]
    post_author = posts["post_author"]
    n_posts = len(post_author)
    like_total = options.likes if options.likes is not None else 4 * n_posts
    comment_total = options.comments if options.comments is not None else n_posts
    save_total = options.saves if options.saves is not None else n_posts // 2
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
        return [u for u in chosen if u != a and (u, a) not in blocks][:k]

    like_counts = long_tail_counts(rng, n_posts, like_total, 1.3, weights=author_weight) if n_posts else []
    likes: list[tuple[int, int]] = []
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
            if (u, a) not in blocks:
                comments.append((p, u))
    saves = set()
    for _ in range(save_total):
        if not n_posts:
            break
        p = rng.randrange(n_posts)
        pool = audience(p)
        u = rng.choice(pool) if pool else rng.randrange(n)
        if u != post_author[p] and (u, post_author[p]) not in blocks:
            saves.add((p, u))
    return {"likes": likes, "comments": comments, "saves": saves}


def _plan_media(rng, options, n_posts):
    media_per_post = [rng.choice((1, 1, 1, 2, 3)) for _ in range(n_posts)]
    pool_size = options.media_pool if options.media_pool is not None else 80
    if pool_size == 0 or pool_size >= sum(media_per_post):
        pool_size = 0  # every post gets images of its own
    n_images = sum(media_per_post) if pool_size == 0 else pool_size
    return {"media_per_post": media_per_post, "pool_size": pool_size, "n_images": n_images}
