"""List usernames that are not ASCII or look like another account's; with --fix, rename them.

    python manage.py username_collisions          # report only, changes nothing
    python manage.py username_collisions --fix    # rename every non-ASCII username to user<id>

Only sign-ups from before usernames were ASCII-only (or rows written around the validator) can be
listed. Every such name is a look-alike (the old rule only let `ı`, `İ`, `ſ` and the Kelvin sign
through, because they match i, s and k ignoring case), so --fix does not try to keep it readable:
it renames the row to `user<id>` (`user<id>_1`, `_2`… if that is taken), which cannot resemble
anybody. The ASCII account in a look-alike group keeps its name. Tell the renamed people; they can
still sign in by email.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User
from accounts.usernames import username_collisions


def _free_name(pk: int) -> str:
    base = candidate = f"user{pk}"
    n = 0
    while User.objects.by_username(candidate).exists():
        n += 1
        candidate = f"{base}_{n}"
    return candidate


class Command(BaseCommand):
    help = "List look-alike (non-ASCII or case-colliding) usernames; --fix renames them to user<id>."

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="rename every non-ASCII username to user<id>")

    def handle(self, *args, fix: bool = False, **options):
        report = username_collisions(User.objects.values_list("pk", "username").iterator())
        if not report:
            self.stdout.write("No look-alike usernames.")
            return
        for line in report.lines():
            self.stdout.write(line)
        if not fix:
            self.stdout.write("Run again with --fix to rename the non-ASCII ones to user<id>.")
            return
        for row in report.non_ascii:
            with transaction.atomic():
                new = _free_name(row.pk)
                User.objects.filter(pk=row.pk, username=row.username).update(username=new)
            self.stdout.write(f"renamed id={row.pk} {row.username!r} -> {new!r}")
