"""Staff see background task failures in the admin (the database backend's own read-only pages) and
can run a failed task again from there: the "Run again" action."""

from __future__ import annotations

from django.contrib import admin, messages
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from instaclone.tasks import RetryScheduled, task_rerun

admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    actions = ["run_again"]

    @admin.action(description="Run the selected failed tasks again", permissions=["view"])
    def run_again(self, request, queryset):
        retried = f"{RetryScheduled.__module__}.{RetryScheduled.__qualname__}"
        failed = queryset.filter(status="FAILED").exclude(exception_class_path=retried)
        for result in failed:
            task_rerun(result)
        self.message_user(request, f"Queued {len(failed)} task(s) again.", messages.SUCCESS)
