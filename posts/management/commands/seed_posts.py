"""Demo posts: a few posts with generated photos for each demo user. Idempotent: a user who already
has posts is left alone. Run after `seed_demo` (which creates the users)."""

import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from PIL import Image, ImageDraw, ImageOps

from accounts.models import User
from posts.services import post_create

# The demo users made by `seed_demo` (social app); posts does not import social.
DEMO_USERNAMES = ["alice", "bob", "charlie", "dana", "eve"]

PALETTES = [
    ((254, 218, 117), (214, 41, 118)),
    ((79, 91, 213), (150, 47, 191)),
    ((32, 178, 170), (255, 215, 120)),
    ((250, 126, 30), (120, 20, 60)),
    ((40, 60, 90), (120, 200, 255)),
    ((90, 160, 80), (240, 240, 200)),
]
CAPTIONS = [
    ("Golden hour again #sunset #nofilter", "Sunset over rooftops"),
    ("Weekend colours with @{friend} #weekend", "Abstract coloured shapes"),
    ("Tried something new today #art #shapes", "Circles on a gradient"),
    ("Morning light #coffee", "A soft gradient like early morning"),
]


def _photo(seed: int, size=(1080, 1080)) -> bytes:
    rng = random.Random(seed)
    start, end = PALETTES[seed % len(PALETTES)]
    gradient = Image.linear_gradient("L").resize(size).rotate(rng.choice([0, 45, 90, 135]), expand=False)
    img = ImageOps.colorize(gradient, start, end)
    draw = ImageDraw.Draw(img, "RGBA")
    for _ in range(rng.randint(3, 7)):
        x, y, r = rng.randint(0, size[0]), rng.randint(0, size[1]), rng.randint(size[0] // 18, size[0] // 4)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(255, 255, 255, rng.randint(30, 90)))
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=82)
    return out.getvalue()


class Command(BaseCommand):
    help = "Give each demo user a few posts with generated photos (skips users who already have posts)."

    def add_arguments(self, parser):
        parser.add_argument("--per-user", type=int, default=4)
        parser.add_argument("--size", type=int, default=1080, help="photo width in pixels")
        parser.add_argument("--users", nargs="*", default=DEMO_USERNAMES, help="usernames (default: the demo users)")

    def handle(self, *args, per_user, users, size, **options):
        usernames = users
        users = list(User.objects.filter(username__in=usernames).order_by("username"))
        created = 0
        for n, user in enumerate(users):
            if user.posts.exists():
                continue
            friend = users[(n + 1) % len(users)].username if len(users) > 1 else user.username
            for i in range(per_user):
                caption, alt = CAPTIONS[i % len(CAPTIONS)]
                seed = n * 100 + i
                files = [(SimpleUploadedFile(f"demo-{seed}.jpg", _photo(seed, (size, size)), content_type="image/jpeg"), alt)]
                if i % 3 == 1:  # some carousels
                    files.append(
                        (SimpleUploadedFile(f"demo-{seed}b.jpg", _photo(seed + 7, (size, size * 5 // 4)), "image/jpeg"),
                         "A second, taller picture")
                    )
                post_create(author=user, caption=caption.format(friend=friend), files=files)
                created += 1
        self.stdout.write(self.style.SUCCESS(f"Demo posts ready ({created} posts created)."))
