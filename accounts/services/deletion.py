"""Deleting an account (issue 15): asked for by the person, restorable for a grace period, then purged.

- `account_deletion_request`: the account is deactivated at once (`is_active` False, so it is
  invisible everywhere through the visibility rule and cannot sign in), `deletion_requested_at` is
  stamped, every session ends and every client-API token is revoked. Nothing else changes yet: the
  username and email stay taken, and everything comes back with `account_deletion_cancel`.
- `account_deletion_cancel`: the person signed in again with the right password during the grace
  period (ACCOUNT_DELETION_GRACE_DAYS) and chose to restore it. A suspended account (inactive with no
  deletion requested) is never restored this way.
- `account_purge`: after the grace period (the daily `accounts.tasks.accounts_purge_due`), or at once
  by a superuser (the admin's action, `manage.py purge_accounts --now`): every row the person owns
  and every file they stored goes, other people's counters are fixed, and the User row is deleted
  last, which frees the username and email. accounts may not import the layers above it, so they
  take part through domain events (accounts/signals.py: `account_purge_started`, then
  `account_purging`), each handling its own rows in batches of their own transactions. The purge is
  resumable: run again after a failure, it continues. One run at a time: the first takes a lease
  on the User row (`purge_started_at`, taken under the row lock); another finding it fresh exits,
  one finding it older than TASKS_STALE_AFTER (a dead run's) takes it over.
- Staff accounts are refused (by the request and by the purge): the admin log and the reports a
  moderator handled are the audit trail, so a superuser removes the staff role first.
- Counters of other people move by what each delete removed (instaclone.batches.delete_counted),
  never by rows merely read, so a concurrent unfollow or unlike is not subtracted twice.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from instaclone import live
from instaclone.batches import delete_counted, delete_in_batches
from instaclone.errors import DomainError
from instaclone.media.files import delete_on_commit

from .. import signals
from ..models import Block, Follow, FollowRequest, User

log = logging.getLogger(__name__)

PURGE_BATCH = 500  # rows a transaction, for every batched step of the purge (each layer's too)

# What the User row's own deletion may still take with it by cascade: rows that are the account
# itself (addresses, sign-in sessions, 2FA, API tokens and apps). Anything else left at that point
# means a layer's purge missed it (its counters and files would be bypassed): logged, and listed
# in the result so tests fail on it.
ACCOUNT_OWN_MODELS = {
    "accounts.user",
    "account.emailaddress",
    "account.emailconfirmation",
    "usersessions.usersession",
    "mfa.authenticator",
    "accounts.oauthapplication",
    "oauth2_provider.accesstoken",
    "oauth2_provider.refreshtoken",
    "oauth2_provider.grant",
    "oauth2_provider.idtoken",
    "auth.user_groups",
    "accounts.user_groups",
    "accounts.user_user_permissions",
    "admin.logentry",
}


class AccountDeletionError(DomainError):
    status = 400


STAFF_REFUSED = "Staff accounts can't be deleted here: ask a superuser to remove your staff role first."


def grace_period() -> timedelta:
    return timedelta(days=settings.ACCOUNT_DELETION_GRACE_DAYS)


def purge_due_at(user: User) -> datetime | None:
    """When the account will be purged (None: no deletion asked for)."""
    if user.deletion_requested_at is None:
        return None
    return user.deletion_requested_at + grace_period()


def deletion_restorable(user: User) -> bool:
    """Deletion asked for by the person, inactive, and the grace period not over yet."""
    due = purge_due_at(user)
    return due is not None and not user.is_active and timezone.now() < due


# --- ending sessions ------------------------------------------------------------------------


def sessions_end_for_user(user: User) -> int:
    """Sign `user` out everywhere, now: delete their Django sessions (found through allauth's
    per-user session rows) and the rows themselves. Django's auth backend also refuses inactive
    users on every request, so a session that escaped the list still authenticates no one. (Also
    what moderators' suspension does: social.moderation.)"""
    from allauth.usersessions.models import UserSession
    from django.contrib.sessions.models import Session

    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    UserSession.objects.filter(user=user).delete()
    live.sessions_closed(user.pk)  # every open page of theirs loses its live connection, at commit
    if keys:
        Session.objects.filter(session_key__in=keys).delete()
        engine = import_module(settings.SESSION_ENGINE)

        def _purge_cache():  # a cache-backed SESSION_ENGINE would keep a copy (today's 'db' keeps none)
            for key in keys:
                engine.SessionStore(session_key=key).delete()

        # Now (a cache miss falls back to the database, so this is safe even if we roll back) and
        # again after the commit, in case a request re-cached a session in between.
        _purge_cache()
        transaction.on_commit(_purge_cache)
    return len(keys)


# --- asking and restoring ---------------------------------------------------------------------


def account_deletion_request(*, user: User) -> datetime:
    """Deactivate the account now and schedule its purge; returns when it will be purged. Every
    session ends and every API token is revoked. Idempotent (asking twice keeps the first date)."""
    from ..oauth.services import tokens_revoke_for_user

    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not locked.is_active and locked.deletion_requested_at is None:
            raise AccountDeletionError("This account is suspended; it can't be deleted from here.")
        if locked.is_staff or locked.is_superuser:
            # the admin log (Django's LogEntry.user cascades) and the reports they handled are the
            # moderators' audit trail: a staff role is removed by a superuser first
            raise AccountDeletionError(STAFF_REFUSED)
        if locked.deletion_requested_at is None:
            locked.deletion_requested_at = timezone.now()
        locked.is_active = False
        locked.save(update_fields=["is_active", "deletion_requested_at"])
        sessions_end_for_user(locked)
        tokens_revoke_for_user(user=locked)
        signals.account_deactivated.send(sender=User, user_id=locked.pk)
    user.is_active, user.deletion_requested_at = False, locked.deletion_requested_at
    return purge_due_at(locked)


def account_deletion_cancel(*, user: User) -> User:
    """Restore an account whose deletion the person asked for, within the grace period: active
    again, with everything it had. Refused for a suspended account and once the grace period is
    over (the purge may be running)."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.is_active and locked.deletion_requested_at is None:
            return locked  # nothing to restore (a double click)
        if not deletion_restorable(locked):
            raise AccountDeletionError("This account can no longer be restored.")
        locked.is_active = True
        locked.deletion_requested_at = None
        locked.save(update_fields=["is_active", "deletion_requested_at"])
    user.is_active, user.deletion_requested_at = True, None
    return locked


# --- the purge --------------------------------------------------------------------------------


@dataclass
class PurgeResult:
    user_id: int
    username: str = ""
    purged: bool = False
    skipped: str = ""  # why nothing was purged (a staff account, another run holds the lease, ...)
    # rows deleted by the User row's own cascade that are not the account's own (should be empty)
    left_for_cascade: dict[str, int] = field(default_factory=dict)


def accounts_due_for_purge(now: datetime | None = None):
    """Ids of the accounts whose grace period is over (deletion asked for, still inactive)."""
    cutoff = (now or timezone.now()) - grace_period()
    return (
        User.objects.filter(is_active=False, deletion_requested_at__isnull=False, deletion_requested_at__lte=cutoff)
        .order_by("deletion_requested_at", "pk")
        .values_list("pk", flat=True)
    )


def _lease_fresh(user: User, at: datetime) -> bool:
    return user.purge_started_at is not None and at - user.purge_started_at < timedelta(seconds=settings.TASKS_STALE_AFTER)


def _mark_purging(user_id: int, *, now: bool) -> tuple[User | None, str]:
    """Lock the account, check that it may be purged and take the purge's lease
    (`purge_started_at`: one run at a time; a lease older than TASKS_STALE_AFTER is a dead run's
    and is taken over). With `now` (a superuser), an account not yet deleted is deactivated first
    (sessions and tokens end). Its request date is moved back to the end of the grace period, so a
    restore racing the purge is refused from here on. Returns (the user, "") or (None, why not)."""
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id).first()
        if user is None:
            return None, "no such account"
        if user.is_staff or user.is_superuser:
            return None, "a staff account (remove the staff role first)"
        if not now and (user.is_active or user.deletion_requested_at is None):
            return None, "restored or suspended"
        if not now and timezone.now() < purge_due_at(user):
            return None, "still within the grace period"
        started = timezone.now()
        if _lease_fresh(user, started):
            return None, "another purge of it is running"
        _deactivate_past_grace(user)
        user.purge_started_at = started
        user.save(update_fields=["is_active", "deletion_requested_at", "purge_started_at"])
    return user, ""


def _deactivate_past_grace(user: User) -> None:
    """(On the locked row, saved by the caller.) Deactivated (sessions and tokens end) with its
    request date moved back to the end of the grace period: not restorable, due for the purge."""
    from ..oauth.services import tokens_revoke_for_user

    due = timezone.now() - grace_period() - timedelta(seconds=1)
    if user.deletion_requested_at is None or user.deletion_requested_at > due:
        user.deletion_requested_at = due
    if user.is_active:
        user.is_active = False
        sessions_end_for_user(user)
        tokens_revoke_for_user(user=user)
        signals.account_deactivated.send(sender=User, user_id=user.pk)


def account_deactivate_for_purge(*, user_id: int) -> bool:
    """A superuser's "delete now" (the admin's action, which then queues
    `accounts.tasks.account_purge_run` with the grace period ignored): the account is deactivated at
    once and due for the purge (not restorable), so if the queue is away the daily
    `accounts_purge_due` finds it due. False for a staff account (or none)."""
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id).first()
        if user is None or user.is_staff or user.is_superuser:
            return False
        _deactivate_past_grace(user)
        user.save(update_fields=["is_active", "deletion_requested_at"])
    return True


def _lease_renew(user_id: int, held: datetime) -> datetime:
    """Between the purge's steps: stamp the lease again (a long purge is not taken for a dead one).
    Raises if another run took it over meanwhile (this one then stops)."""
    renewed = timezone.now()
    if not User.objects.filter(pk=user_id, purge_started_at=held).update(purge_started_at=renewed):
        raise PurgeLeaseLost(f"the purge of account {user_id} was taken over by another run")
    return renewed


class PurgeLeaseLost(RuntimeError):
    pass


def _graph_purge(user_id: int, batch: int) -> None:
    """Follows both ways (with the other people's follower/following counts), follow requests and
    blocks both ways, in batches. Each other person's counter drops by the follow rows this delete
    removed (instaclone.batches.delete_counted), never by what was read: an unfollow committed in
    between already moved it."""
    for own, other, their_counter, my_counter in (
        ("follower", "followee", "follower_count", "following_count"),
        ("followee", "follower", "following_count", "follower_count"),
    ):
        while True:
            with transaction.atomic():
                rows = list(
                    Follow.objects.select_for_update()
                    .filter(**{f"{own}_id": user_id})
                    .order_by("pk")
                    .values_list("pk", f"{other}_id")[:batch]
                )
                if not rows:
                    break
                gone = delete_counted(Follow, rows)  # {other person: 1}
                if gone:
                    User.objects.filter(pk__in=list(gone), **{f"{their_counter}__gt": 0}).update(
                        **{their_counter: F(their_counter) - 1}
                    )
                    removed = sum(gone.values())
                    User.objects.filter(pk=user_id).update(**{my_counter: Greatest(F(my_counter) - removed, Value(0))})
    for model, fields in ((FollowRequest, ("requester", "target")), (Block, ("blocker", "blocked"))):
        for name in fields:
            delete_in_batches(model.objects.filter(**{f"{name}_id": user_id}), batch)


def _scrub_admin_log(user: User) -> None:
    """The admin log keeps what moderators did, not who it was done to: entries about the account
    lose its username (the object's name, and "@username" in every change message).

    Entries the person wrote themselves (`LogEntry.user`, a non-null foreign key that cascades) go
    with their User row: only a former staff member can be purged (staff are refused, STAFF_REFUSED;
    a superuser removes the role first), and the admin log entries they wrote while on staff are
    deleted with them. What they decided stays in the notes of the reports they handled
    (social/purge.py), with their name taken out."""
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    entries = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk))
    entries.update(object_repr="deleted account")
    pattern = re.compile(rf"@{re.escape(user.username)}\b", re.IGNORECASE)
    for entry in LogEntry.objects.filter(change_message__icontains=f"@{user.username}").only("pk", "change_message"):
        LogEntry.objects.filter(pk=entry.pk).update(change_message=pattern.sub("@[deleted]", entry.change_message))


def account_purge(*, user_id: int, now: bool = False, batch: int = PURGE_BATCH) -> PurgeResult:
    """Remove the account for good: every row the person owns or appears in, every file they
    stored (deleted once each batch commits), the counters of other people fixed, and the User row
    last (the username and email become free). Only an account whose grace period is over, unless
    `now` (a superuser's decision: the account is deactivated first). Not one transaction: each
    step is batched and idempotent, so running it again after a failure continues."""
    result = PurgeResult(user_id=user_id)
    user, result.skipped = _mark_purging(user_id, now=now)
    if user is None:
        return result
    result.username = user.username
    lease = user.purge_started_at
    started = timezone.now()
    try:
        signals.account_purge_started.send(sender=User, user_id=user_id)
        lease = _lease_renew(user_id, lease)
        _graph_purge(user_id, batch)
        lease = _lease_renew(user_id, lease)
        signals.account_purging.send(sender=User, user_id=user_id, batch=batch)
        with transaction.atomic():
            user = User.objects.select_for_update().filter(pk=user_id, purge_started_at=lease).first()
            if user is None:  # another run took the lease over meanwhile
                raise PurgeLeaseLost(f"the purge of account {user_id} was taken over by another run")
            _scrub_admin_log(user)
            if user.avatar:
                delete_on_commit(user.avatar)
            _, per_model = user.delete()
    except PurgeLeaseLost:
        log.warning("purge of account %s stopped: another run took it over", user_id)
        result.skipped = "another purge of it is running"
        return result
    except BaseException:
        # let a retry (the task engine's, or the next day's) start at once: the lease is released
        User.objects.filter(pk=user_id, purge_started_at=lease).update(purge_started_at=None)
        raise
    result.left_for_cascade = {
        label: n for label, n in per_model.items() if n and label.lower() not in ACCOUNT_OWN_MODELS
    }
    if result.left_for_cascade:
        log.warning("purge of account %s left rows to the cascade: %s", user_id, result.left_for_cascade)
    result.purged = True
    log.info("account %s purged in %.1fs", user_id, (timezone.now() - started).total_seconds())
    return result


def rows_referencing_user(user_id: int) -> dict[str, int]:
    """How many rows of every installed model point at the user through a foreign key (or a
    many-to-many table) to AUTH_USER_MODEL: {"app.Model.field": n} for n > 0. The purge's proof
    (tests, `manage.py purge_accounts --check`)."""
    from django.apps import apps

    found: dict[str, int] = {}
    for model in apps.get_models(include_auto_created=True):
        for f in model._meta.get_fields():
            if not getattr(f, "concrete", False) or not f.is_relation or f.many_to_many:
                continue
            if f.related_model is None or f.related_model._meta.label != settings.AUTH_USER_MODEL:
                continue
            n = model._base_manager.filter(**{f.attname: user_id}).count()
            if n:
                found[f"{model._meta.label}.{f.name}"] = n
    return found


__all__ = [
    "AccountDeletionError",
    "PurgeLeaseLost",
    "PurgeResult",
    "STAFF_REFUSED",
    "account_deletion_cancel",
    "account_deletion_request",
    "account_purge",
    "account_deactivate_for_purge",
    "accounts_due_for_purge",
    "deletion_restorable",
    "grace_period",
    "purge_due_at",
    "rows_referencing_user",
    "sessions_end_for_user",
]
