"""Social's part of purging an account (issue 15), on accounts' domain events (social/receivers.py).

- `account_reports_detach` (`account_purge_started`, before any content goes): moderation reports
  keep the audit trail without the person's data. Reports they made lose their reporter; reports
  about them, their posts or their comments keep their row with the target gone (`target_deleted`,
  a neutral line in the notes, their @username taken out of the notes), instead of cascading away
  with the content. Reports they handled as a moderator lose `handled_by`.
- `account_social_purge` (`account_purging`): their feed rows (as owner and as author), their
  notifications (received and caused: the recipients' unread badges are forgotten), their feed
  mode rows, and their data-export archives with the files.

Batched (one transaction a batch) and idempotent, as the whole purge (accounts/services/deletion.py).
"""

from __future__ import annotations

import re

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User

from . import services
from .exports.services import data_exports_delete_for_user
from .models import FeedItem, FeedPullAuthor, FeedStale, Notification, Report

DELETED_NOTE = "Account deleted: the reported account and its content were purged."


def account_reports_detach(*, user_id: int, batch: int = 500) -> int:
    """Detach every report from the person (see the module's docstring); how many changed."""
    username = User.objects.filter(pk=user_id).values_list("username", flat=True).first() or ""
    mention = re.compile(rf"@{re.escape(username)}\b", re.IGNORECASE) if username else None
    changed = 0
    about = Q(user_id=user_id) | Q(post__author_id=user_id) | Q(comment__author_id=user_id)
    while True:
        with transaction.atomic():
            reports = list(
                Report.objects.select_for_update(of=("self",)).filter(about).order_by("pk")[:batch]
            )
            if not reports:
                break
            line = f"[{timezone.now():%Y-%m-%d %H:%M}] {DELETED_NOTE}"
            for report in reports:
                notes = mention.sub("@[deleted]", report.notes) if mention else report.notes
                report.notes = f"{notes}\n{line}" if notes else line
                report.text = mention.sub("@[deleted]", report.text) if mention else report.text
                report.post = report.comment = report.user = None
                report.target_deleted = True
            Report.objects.bulk_update(reports, ["notes", "text", "post", "comment", "user", "target_deleted"])
            changed += len(reports)
    for field in ("reporter", "handled_by"):
        while True:
            with transaction.atomic():
                ids = list(Report.objects.filter(**{f"{field}_id": user_id}).values_list("pk", flat=True)[:batch])
                if not ids:
                    break
                changed += Report.objects.filter(pk__in=ids).update(**{field: None})
    return changed


def _delete_in_batches(qs, batch: int) -> int:
    done = 0
    while True:
        with transaction.atomic():
            ids = list(qs.order_by("pk").values_list("pk", flat=True)[:batch])
            if not ids:
                return done
            qs.model.objects.filter(pk__in=ids).delete()
            done += len(ids)


def _notifications_caused(user_id: int, batch: int) -> int:
    """Notifications the person caused, in others' lists: their unread badges are forgotten."""
    done = 0
    while True:
        with transaction.atomic():
            rows = list(
                Notification.objects.filter(actor_id=user_id).order_by("pk").values_list("pk", "recipient_id")[:batch]
            )
            if not rows:
                return done
            Notification.objects.filter(pk__in=[pk for pk, _ in rows]).delete()
            services.unread_changed(*{recipient for _, recipient in rows}, only_at_commit=True)
            done += len(rows)


def account_social_purge(*, user_id: int, batch: int = 500) -> dict[str, int]:
    """Remove every social row of the person (see the module's docstring); what went, by kind."""
    return {
        "feed_rows": _delete_in_batches(FeedItem.objects.filter(owner_id=user_id), batch)
        + _delete_in_batches(FeedItem.objects.filter(author_id=user_id), batch),
        "notifications": _delete_in_batches(Notification.objects.filter(recipient_id=user_id), batch)
        + _notifications_caused(user_id, batch),
        "feed_modes": FeedPullAuthor.objects.filter(author_id=user_id).delete()[0]
        + FeedStale.objects.filter(owner_id=user_id).delete()[0],
        "data_exports": data_exports_delete_for_user(user_id=user_id),
    }
