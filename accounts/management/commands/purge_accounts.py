"""Purge deleted accounts whose grace period is over, or one account at once.

    python manage.py purge_accounts                  # every account due (what the daily task queues)
    python manage.py purge_accounts --now USERNAME   # this account now, grace period or not
    python manage.py purge_accounts --dry-run        # list the accounts due, purge nothing

Each purge is accounts.services.deletion.account_purge, run here in this process (not queued,
unlike the admin's action): a purge that stopped half way is continued by running it again; one
already running elsewhere (its lease fresh) is left to it.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.services.deletion import account_purge, accounts_due_for_purge


class Command(BaseCommand):
    help = "Purge deleted accounts whose grace period is over (or one account at once with --now)."

    def add_arguments(self, parser):
        parser.add_argument("--now", metavar="USERNAME", help="purge this account now, whatever its state")
        parser.add_argument("--dry-run", action="store_true", help="list the accounts due; purge nothing")

    def handle(self, *args, **opts):
        if opts["now"]:
            user = User.objects.by_username(opts["now"]).first()
            if user is None:
                raise CommandError(f"No account called {opts['now']!r}.")
            if user.is_superuser or user.is_staff:
                raise CommandError("Staff accounts are not purged: remove the staff role (and superuser flag) first.")
            ids = [user.pk]
        else:
            ids = list(accounts_due_for_purge())
        if opts["dry_run"]:
            names = dict(User.objects.filter(pk__in=ids).values_list("pk", "username"))
            for pk in ids:
                self.stdout.write(f"due: @{names.get(pk, pk)} (id {pk})")
            self.stdout.write(f"{len(ids)} account(s) due.")
            return
        purged = 0
        for pk in ids:
            result = account_purge(user_id=pk, now=bool(opts["now"]))
            if result.purged:
                purged += 1
                self.stdout.write(f"purged @{result.username} (id {pk})")
                if result.left_for_cascade:
                    self.stdout.write(self.style.WARNING(f"  rows left to the cascade: {result.left_for_cascade}"))
            elif result.skipped:
                self.stdout.write(f"not purged (id {pk}): {result.skipped}")
        self.stdout.write(self.style.SUCCESS(f"{purged} account(s) purged."))
