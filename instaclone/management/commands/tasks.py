"""`python manage.py tasks`: the background queue for staff — counts by state, the final failures
with their error, and `--rerun ID` / `--rerun-failed` to run failed tasks again (database backend;
on RQ use the django-rq admin pages)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from instaclone.tasks import _db_results, failed_tasks, task_rerun


class Command(BaseCommand):
    help = "Show background task counts and failures; re-run failed tasks."

    def add_arguments(self, parser):
        parser.add_argument("--rerun", metavar="ID", action="append", default=[], help="Run this failed task again.")
        parser.add_argument("--rerun-failed", action="store_true", help="Run every final failure again.")
        parser.add_argument("--limit", type=int, default=20, help="How many failures to list.")

    def handle(self, *args, **options):
        if "DatabaseBackend" not in settings.TASKS["default"]["BACKEND"]:
            raise CommandError("This command reads the database backend's queue; on RQ see /admin/django-rq/ or `rqstats`.")
        counts = dict(_db_results().values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
        self.stdout.write("  ".join(f"{status}: {counts.get(status, 0)}" for status in ("READY", "RUNNING", "SUCCESSFUL", "FAILED")))
        to_rerun = list(failed_tasks()) if options["rerun_failed"] else []
        for pk in options["rerun"]:
            result = failed_tasks().filter(pk=pk).first()
            if result is None:
                raise CommandError(f"No failed task {pk}.")
            to_rerun.append(result)
        for result in to_rerun:
            self.stdout.write(f"re-ran {result.task_path} {result.pk} as {task_rerun(result)}")
        if to_rerun:
            return
        for result in failed_tasks()[: options["limit"]]:
            error = (result.traceback.strip().splitlines() or [""])[-1]
            self.stdout.write(f"{result.pk}  {result.finished_at:%Y-%m-%d %H:%M}  {result.task_path}  {error}")
