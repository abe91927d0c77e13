"""Rebuild home-feed rows (social.FeedItem) from the follow graph: for data loaded without the
services (fixtures, imports) or after a repair. Idempotent. Runs in this process, not as tasks;
people away for FEED_ACTIVE_DAYS stay away (their next visit asks for the rebuild that stamps them).

    python manage.py feed_rebuild               # everyone
    python manage.py feed_rebuild alice bob     # some people
"""

from django.core.management.base import BaseCommand

from accounts.models import User
from social.services import feed_rebuild


class Command(BaseCommand):
    help = "Rebuild home feed rows from the follow graph."

    def add_arguments(self, parser):
        parser.add_argument("usernames", nargs="*")

    def handle(self, *args, usernames, **opts):
        users = User.objects.filter(is_active=True).order_by("pk")
        if usernames:
            users = users.filter(username__in=usernames)
        n = 0
        for user in users.iterator(chunk_size=500):
            feed_rebuild(owner=user)
            n += 1
        self.stdout.write(f"Rebuilt {n} feed(s).")
