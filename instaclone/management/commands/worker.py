"""`python manage.py worker`: run background tasks (and the periodic scheduler) on the configured
backend: the database backend's `db_worker`, or an RQ worker with its scheduler when TASKS_BACKEND=rq."""

from __future__ import annotations

import os
import socket

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from instaclone.scheduler import Scheduler
from instaclone.tasks import WorkerIdTaken, backend_kind, requeue_interrupted, worker_id_lock


class Command(BaseCommand):
    help = "Run a background worker (and the periodic scheduler) for the configured task backend."

    def add_arguments(self, parser):
        parser.add_argument(
            "--id", default=f"{socket.gethostname()}-1"[:64],
            help="This worker's id, unique among running workers and stable across restarts "
            "(e.g. web1-2): a restarted worker re-queues the tasks its predecessor was running.",
        )
        parser.add_argument("--interval", type=float, default=0.5, help="Seconds between polls when idle (database backend).")
        parser.add_argument("--batch", action="store_true", help="Run what is queued, then exit.")
        parser.add_argument("--no-scheduler", action="store_true", help="Do not enqueue the periodic tasks from this worker.")

    def handle(self, *args, **options):
        backend = backend_kind()
        scheduler = None
        if not options["no_scheduler"] and not options["batch"]:
            scheduler = Scheduler()
            scheduler.start()
        try:
            if backend == "db":
                try:
                    with worker_id_lock(options["id"]):
                        requeued = requeue_interrupted(worker_id=options["id"])
                        if requeued:
                            self.stderr.write(f"Re-queued {requeued} task(s) interrupted when worker {options['id']} last stopped.")
                        call_command(
                            "db_worker", worker_id=options["id"], interval=options["interval"], batch=options["batch"],
                            queue_name="*", startup_delay=False, reload=False, verbosity=options["verbosity"],
                        )
                except WorkerIdTaken:
                    raise CommandError(
                        f"A worker with --id {options['id']} is already running: give each worker an id of its own "
                        "(e.g. web1-1, web1-2)."
                    ) from None
            elif backend == "rq":
                # RQ keeps a dead worker's name registered until its heartbeat expires and finds its
                # job abandoned then (the stale sweep re-queues it): the name carries the pid.
                call_command(
                    "rqworker", "default", name=f"{options['id']}.{os.getpid()}", with_scheduler=True, burst=options["batch"],
                    job_class="django_tasks_rq.Job",
                )
            else:
                raise CommandError(f"TASKS_BACKEND={settings.TASKS_BACKEND} runs tasks in the request; there is no worker to start.")
        finally:
            if scheduler:
                scheduler.stop()
