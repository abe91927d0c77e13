"""`python manage.py tasks`: the background queue for staff — counts by state, the final failures
with their error, and `--rerun ID` / `--rerun-failed` to run failed tasks again. Works on the
database backend (also in the admin: Task results) and on RQ (its registries in Redis)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.utils.module_loading import import_string

from instaclone.tasks import (
    _db_results,
    backend_kind,
    failed_tasks,
    rerun_kwargs,
    rq_failed_jobs,
    rq_queues,
    task_rerun,
)


class Command(BaseCommand):
    help = "Show background task counts and failures; re-run failed tasks."

    def add_arguments(self, parser):
        parser.add_argument("--rerun", metavar="ID", action="append", default=[], help="Run this failed task again.")
        parser.add_argument("--rerun-failed", action="store_true", help="Run every final failure again.")
        parser.add_argument("--limit", type=int, default=20, help="How many failures to list.")

    def handle(self, *args, **options):
        backend = backend_kind()
        if backend == "db":
            self._database(options)
        elif backend == "rq":
            self._rq(options)
        else:
            raise CommandError(f"TASKS_BACKEND={settings.TASKS_BACKEND} runs tasks in the request: there is no queue.")

    def _database(self, options):
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

    def _rq(self, options):
        for queue in rq_queues():
            self.stdout.write(
                f"{queue.name}: READY: {queue.count}  SCHEDULED: {queue.scheduled_job_registry.count}  "
                f"RUNNING: {queue.started_job_registry.count}  SUCCESSFUL: {queue.finished_job_registry.count}  "
                f"FAILED: {queue.failed_job_registry.count}"
            )
        failed = rq_failed_jobs()
        wanted = set(options["rerun"])
        unknown = wanted - {job.id for job in failed}
        if unknown:
            raise CommandError(f"No failed task {', '.join(sorted(unknown))}.")
        to_rerun = failed if options["rerun_failed"] else [job for job in failed if job.id in wanted]
        for job in to_rerun:
            the_task = import_string(job.func_name)
            new = the_task.enqueue(*job.args, **rerun_kwargs(the_task, job.kwargs))
            job.failed_job_registry.remove(job)
            self.stdout.write(f"re-ran {job.func_name} {job.id} as {new.id}")
        if to_rerun:
            return
        for job in failed[: options["limit"]]:
            result = job.latest_result()
            error = ((result.exc_string if result else "") or "").strip().splitlines()[-1:] or [""]
            ended = f"{job.ended_at:%Y-%m-%d %H:%M}" if job.ended_at else "?"
            self.stdout.write(f"{job.id}  {ended}  {job.func_name}  {error[0]}")
