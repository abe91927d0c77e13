"""Social's part of purging an account (issue 15), on accounts' domain events (social/receivers.py).

- `account_reports_detach` (`account_purge_started`, before any content goes): moderation reports
  keep the audit trail without the person's data. Reports they made lose their reporter; reports
  about them, their posts or their comments keep their row with the target gone (`target_deleted`,
  a neutral line in the notes, their @username taken out of the notes), instead of cascading away
  with the content. Reports they handled as a moderator lose `handled_by`, and their name goes from
  the notes' "[date username]" lines (the decisions stay). A reporter's own report text is kept:
  it is their report to the moderators (only the purged person's @username is taken out of it).
- `account_notifications_detach` (`account_purge_started`): notifications about their posts and
  comments in others' lists go before posts' purge cascades them, with the recipients' unread
  badges forgotten.
- Direct messages: reports of their messages are detached like the rest, and the copies of their
  messages that reports of others' messages keep (`Report.context`) lose their name and text (also
  in reports whose message went with its purged sender before);
  `social.messages.services.account_messages_purge` (`account_purging`) deletes their messages
  (files on commit), memberships and the conversations nobody is left in.
- `account_exports_stop` (`account_deactivated`): an export still waiting or being built stops
  (no archive, no "your download is ready" email to a deleted account).
- `account_social_purge` (`account_purging`): their feed rows (as owner and as author), their
  notifications (received and caused: the recipients' unread badges are forgotten), their feed
  mode rows, and their data-export archives with the files (an archive that cannot be deleted now
  stops the purge, which its next run continues: the media sweep never touches exports/).

Batched (one transaction a batch) and idempotent, as the whole purge (accounts/services/deletion.py).
"""

from __future__ import annotations

import re

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from instaclone.batches import delete_in_batches

from . import services
from .exports.build import delete_quietly
from .messages.models import Participant
from .messages.services import account_messages_purge
from .models import DataExport, FeedItem, FeedPullAuthor, FeedStale, Notification, Report

DELETED_NOTE = "Account deleted: the reported account and its content were purged."


def account_reports_detach(*, user_id: int, batch: int = 500) -> int:
    """Detach every report from the person (see the module's docstring); how many changed."""
    username = User.objects.filter(pk=user_id).values_list("username", flat=True).first() or ""
    mention = re.compile(rf"@{re.escape(username)}\b", re.IGNORECASE) if username else None
    changed = 0
    about = Q(user_id=user_id) | Q(post__author_id=user_id) | Q(comment__author_id=user_id)
    about |= Q(message__sender_id=user_id)  # their direct messages
    about |= Q(story__author_id=user_id)  # their stories (which posts' purge deletes)
    changed += _message_context_scrub(user_id, batch)
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
                report.message = None
                report.story = None
                report.target_deleted = True
            Report.objects.bulk_update(reports, ["notes", "text", "post", "comment", "user", "message", "story", "target_deleted"])
            changed += len(reports)
    changed += _moderator_name_scrub(username, batch)
    for field in ("reporter", "handled_by"):
        while True:
            with transaction.atomic():
                ids = list(Report.objects.filter(**{f"{field}_id": user_id}).values_list("pk", flat=True)[:batch])
                if not ids:
                    break
                changed += Report.objects.filter(pk__in=ids).update(**{field: None})
    return changed


def _message_context_scrub(user_id: int, batch: int) -> int:
    """Reports of direct messages keep a copy of the messages around the reported one
    (Report.context): the person's entries there lose their name and text. Such reports are those
    about messages of the conversations they are in (read before their memberships go), and every
    detached one that kept a context (its message went with its purged sender before: the
    conversation may be gone too, so it cannot be found by it). The entries are checked one by one
    (a JSON list's elements cannot be searched the same way on SQLite and PostgreSQL)."""
    conversations = Participant.objects.filter(user_id=user_id).values("conversation_id")
    about = Q(message__conversation_id__in=conversations) | (Q(target_deleted=True, message__isnull=True) & ~Q(context=[]))

    def scrub(report: Report) -> bool:
        if not any(entry.get("sender_id") == user_id for entry in report.context or []):
            return False
        report.context = [
            {**entry, "sender_id": None, "sender": "[deleted]", "text": ""} if entry.get("sender_id") == user_id else entry
            for entry in report.context
        ]
        return True

    return _reports_rewrite(about, scrub, "context", batch, lock_of=("self",))


def _reports_rewrite(about: Q, rewrite, field: str, batch: int, *, lock_of=()) -> int:
    """Rewrite one field of the reports matching `about`, in batches each locked in its own
    transaction; `rewrite(report)` changes the report in memory and says whether it did."""
    changed = 0
    last = 0
    while True:
        with transaction.atomic():
            reports = list(Report.objects.select_for_update(of=lock_of).filter(about, pk__gt=last).order_by("pk")[:batch])
            if not reports:
                return changed
            last = reports[-1].pk
            scrubbed = [report for report in reports if rewrite(report)]
            Report.objects.bulk_update(scrubbed, [field])
            changed += len(scrubbed)


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


def _moderator_name_scrub(username: str, batch: int) -> int:
    """A former moderator's name out of the notes of the reports they handled: each line they wrote
    is "[2026-11-30 07:57 alice] Dismissed: …" (social.moderation._record), which becomes
    "[2026-11-30 07:57 former moderator] Dismissed: …"; what was decided stays."""
    if not username:
        return 0
    line = re.compile(rf"^\[(\d{{4}}-\d{{2}}-\d{{2}} \d{{2}}:\d{{2}}) {re.escape(username)}\]", re.MULTILINE)

    def scrub(report: Report) -> bool:
        notes = line.sub(r"[\1 former moderator]", report.notes)
        if notes == report.notes:
            return False
        report.notes = notes
        return True

    return _reports_rewrite(Q(notes__contains=f" {username}]"), scrub, "notes", batch)


def account_notifications_detach(*, user_id: int, batch: int = 500) -> int:
    """(`account_purge_started`, before posts' purge deletes the person's posts and comments and,
    by cascade, the notifications about them in others' lists.) Those notifications go here
    first, so their recipients' unread badges are forgotten (social.services.unread_changed)
    instead of showing a stale count for up to UNREAD_CACHE_SECONDS."""
    done = 0
    about = Q(post__author_id=user_id) | Q(comment__author_id=user_id)
    while True:
        with transaction.atomic():
            rows = list(
                Notification.objects.filter(about).exclude(recipient_id=user_id)
                .order_by("pk").values_list("pk", "recipient_id")[:batch]
            )
            if not rows:
                return done
            Notification.objects.filter(pk__in=[pk for pk, _ in rows]).delete()
            services.unread_changed(*{recipient for _, recipient in rows}, only_at_commit=True)
            done += len(rows)


def account_exports_stop(*, user_id: int) -> int:
    """(`account_deactivated`.) The person's export still waiting or being built is failed, so its
    build ends without an archive or a "your download is ready" email to a deleted account
    (social.exports.build marks an export ready only if it is still running). How many stopped."""
    return DataExport.objects.filter(
        user_id=user_id, status__in=[DataExport.Status.PENDING, DataExport.Status.RUNNING]
    ).update(status=DataExport.Status.FAILED, finished_at=timezone.now(), error="Stopped: the account was deleted.")


def account_social_purge(*, user_id: int, batch: int = 500) -> dict[str, int]:
    """Remove every social row of the person (see the module's docstring); what went, by kind."""
    return {
        "feed_rows": delete_in_batches(FeedItem.objects.filter(owner_id=user_id), batch)
        + delete_in_batches(FeedItem.objects.filter(author_id=user_id), batch),
        "notifications": delete_in_batches(Notification.objects.filter(recipient_id=user_id), batch)
        + _notifications_caused(user_id, batch),
        "feed_modes": FeedPullAuthor.objects.filter(author_id=user_id).delete()[0]
        + FeedStale.objects.filter(owner_id=user_id).delete()[0],
        "data_exports": _data_exports(user_id),
        **{f"direct_{kind}": n for kind, n in account_messages_purge(user_id=user_id, batch=batch).items()},
    }


class ExportFilesLeft(RuntimeError):
    """Some of the person's export archives could not be deleted (storage away): the purge stops
    here and its next run (the task's retry, or the next day's accounts_purge_due) tries again."""


def _data_exports(user_id: int) -> int:
    """Their export archives and rows. An archive whose file could not be deleted keeps its row,
    and the purge fails (ExportFilesLeft) rather than lose track of it: the media sweep never
    deletes exports/ files (they have no row it reads), so a file dropped here would stay forever."""
    deleted = 0
    for pk, name in DataExport.objects.filter(user_id=user_id).values_list("pk", "file"):
        if name and not delete_quietly(name):
            continue
        DataExport.objects.filter(pk=pk).delete()
        deleted += bool(name)
    left = DataExport.objects.filter(user_id=user_id).count()
    if left:
        raise ExportFilesLeft(f"{left} export archive(s) of account {user_id} could not be deleted yet")
    return deleted
