"""Demo data. Running it twice is harmless: existing demo users are left as they are.

The posts and social issues extend this command with posts, follows, likes and comments.
"""

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.avatars import ensure_default_avatar
from accounts.models import User

DEMO_PASSWORD = "instaclone-demo"  # noqa: S105 - documented demo password
DEMO_USERS = [
    ("alice", "Alice Liddell", "Curiouser and curiouser. Photos from down the rabbit hole.", False),
    ("bob", "Bob Builder", "Can we fix it? Mostly concrete and sunsets.", False),
    ("charlie", "Charlie Brown", "Good grief.", False),
    ("dana", "Dana Scully", "The truth is out there. Private account.", True),
    ("eve", "Eve Polastri", "Travel, food, and the occasional mystery.", False),
]


class Command(BaseCommand):
    help = "Create demo users (password: instaclone-demo), a demo moderator and a demo admin."

    def handle(self, *args, **options):
        from allauth.account.models import EmailAddress

        ensure_default_avatar()
        created = 0
        with transaction.atomic():
            for username, name, bio, private in DEMO_USERS:
                user, was_created = User.objects.get_or_create(
                    username=username,
                    defaults={"email": f"{username}@example.com", "display_name": name, "bio": bio, "is_private": private},
                )
                if was_created:
                    user.set_password(DEMO_PASSWORD)
                    user.save(update_fields=["password"])
                    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
                    created += 1
            moderators = Group.objects.get(name="Moderators")
            for username, staff, superuser in (("demo_mod", True, False), ("demo_admin", True, True)):
                user, was_created = User.objects.get_or_create(
                    username=username,
                    defaults={"email": f"{username}@example.com", "is_staff": staff, "is_superuser": superuser},
                )
                if was_created:
                    user.set_password(DEMO_PASSWORD)
                    user.save(update_fields=["password"])
                    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
                    created += 1
                if not superuser:
                    user.groups.add(moderators)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({created} users created)."))
