"""Moderation: reports from members, and the actions moderators take on them.

Writes only, HackSoft style: keyword-only arguments, one transaction each, `<entity>_<action>`
names. Every moderator action is recorded twice:

- on the report(s) about the target (status, handled_by, handled_at, a line appended to notes);
- in the Django admin log (`LogEntry`), on the target and on each report it closed.

What hidden or suspended means for readers is decided elsewhere, in one place: `Post.is_hidden` and
`Comment.is_hidden` are filtered by the posts selectors, inactive authors by
`accounts.visibility`. Nothing here filters a page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from accounts.oauth.services import tokens_revoke_for_user
from accounts.services.deletion import sessions_end_for_user
from instaclone.errors import DomainError
from posts.models import Comment, Post
from posts.selectors import post_queryset, visible_comments
from posts.services import post_delete
from posts.stories.models import Story
from posts.stories.selectors import story_get_for_viewer

from .messages.models import Message
from .messages.selectors import message_get_for_member
from .messages.selectors import report_context as message_report_context
from .messages.services import message_soft_delete, messages_held_release
from .models import Report

# At most REPORT_RATE_LIMIT new reports per reporter per REPORT_RATE_WINDOW seconds (fixed window).
REPORT_RATE_LIMIT = getattr(settings, "REPORT_RATE_LIMIT", 10)
REPORT_RATE_WINDOW = getattr(settings, "REPORT_RATE_WINDOW", 10 * 60)

KINDS = ("post", "comment", "user")
KINDS = (*KINDS, "message")  # a direct message (social.messages): reported by a member of its conversation
KINDS = (*KINDS, "story")  # a story (posts.stories): reported by anyone who may see it


class ModerationError(DomainError):
    """A request that cannot be honoured (reporting yourself, suspending a superuser...). The
    message is meant for the person; views answer 400."""

    status = 400


class ReportRateLimited(ModerationError):
    status = 429


# --- Reads the report form needs ---------------------------------------------------------------


def _visible_posts(viewer):
    """Posts the viewer may see and report: the posts app's base queryset, without hidden ones
    (which it still shows to their author and to staff)."""
    return post_queryset(viewer, published_only=True)


def report_target_get(*, viewer, kind: str, pk: int):
    """The post, comment or user `viewer` wants to report, or 404 when it does not exist or the
    viewer may not see it (the one visibility rule; hidden content counts as unseen)."""
    if kind == "post":
        post = _visible_posts(viewer).filter(pk=pk).first()
        if post is None:
            raise Http404("No such post.")
        return post
    if kind == "comment":
        comment = (
            visible_comments(viewer)
            .select_related("author", "post")
            .filter(pk=pk)
            .filter(post__in=_visible_posts(viewer).values("pk"))
            .first()
        )
        if comment is None:
            raise Http404("No such comment.")
        return comment
    if kind == "user":
        user = User.objects.visible_to(viewer).filter(pk=pk).first()
        if user is None:
            raise Http404("No such account.")
        return user
    if kind == "message":
        # a direct message: only the members of its conversation may report it (404 for anyone else)
        return message_get_for_member(viewer, pk)
    if kind == "story":
        # Story.objects.visible_to: hidden, expired and others' videos in processing count as unseen
        return story_get_for_viewer(viewer, pk, published_only=True)
    raise Http404("Nothing to report here.")


def target_kind(target) -> str:
    if isinstance(target, Post):
        return "post"
    if isinstance(target, Comment):
        return "comment"
    if isinstance(target, User):
        return "user"
    if isinstance(target, Message):
        return "message"
    if isinstance(target, Story):
        return "story"
    raise TypeError(f"cannot report {type(target).__name__}")


def target_author(target) -> User:
    if isinstance(target, Message):
        return target.sender
    return target if isinstance(target, User) else target.author


def report_open_get(*, reporter: User, target) -> Report | None:
    """The reporter's open report of this target, if any (a repeat collapses into it)."""
    return Report.objects.filter(reporter=reporter, status=Report.Status.OPEN, **{target_kind(target): target}).first()


# --- Reports ------------------------------------------------------------------------------------


@dataclass
class ReportResult:
    report: Report
    created: bool  # False when it collapsed into the reporter's open report of the same target


def _rate_limit_hit(reporter_id: int) -> bool:
    """Count one report against the reporter's fixed window; True when over the limit."""
    window = int(timezone.now().timestamp()) // REPORT_RATE_WINDOW
    key = f"report-rate:{reporter_id}:{window}"
    cache.add(key, 0, timeout=REPORT_RATE_WINDOW + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, timeout=REPORT_RATE_WINDOW + 5)
        count = 1
    return count > REPORT_RATE_LIMIT


def report_create(*, reporter: User, target, reason: str, text: str = "") -> ReportResult:
    """File `reporter`'s report of a post, comment or user. A repeat while their earlier report of
    the same target is still open returns that report (created=False) and is not rate-limited."""
    kind = target_kind(target)
    text = (text or "").strip()
    if reason not in Report.Reason.values:
        raise ValidationError({"reason": "Choose one of the reasons."})
    if reason == Report.Reason.OTHER and not text:
        raise ValidationError({"text": "Tell us what is wrong."})
    if len(text) > 1000:
        raise ValidationError({"text": "Keep it under 1,000 characters."})
    if target_author(target).pk == reporter.pk:
        raise ModerationError("You can't report yourself or your own posts and comments.")

    existing = report_open_get(reporter=reporter, target=target)
    if existing is not None:
        return ReportResult(existing, False)
    if _rate_limit_hit(reporter.pk):
        raise ReportRateLimited("You've sent a lot of reports. Please wait a few minutes before sending more.")
    try:
        with transaction.atomic():
            report = Report.objects.create(reporter=reporter, reason=reason, text=text, **{kind: target})
            if kind == "message":
                # the messages around it the reporter could see, copied now (the thread may change)
                report.context = message_report_context(reporter, target)
                report.save(update_fields=["context"])
    except IntegrityError:
        # a concurrent duplicate won the partial unique constraint: collapse into it
        report = Report.objects.get(reporter=reporter, status=Report.Status.OPEN, **{kind: target})
        return ReportResult(report, False)
    return ReportResult(report, True)


# --- Recording ----------------------------------------------------------------------------------


def _reports_about(target):
    """Every report about `target` (a post, comment or user) as a queryset."""
    return Report.objects.filter(**{target_kind(target): target})


def _record(*, moderator: User, reports, status: str, note: str, targets=(), flag: int = CHANGE) -> int:
    """Close `reports` with `status`, append `note`, and write the admin log for the reports and
    the targets. Returns how many reports were updated."""
    reports = list(reports)
    now = timezone.now()
    line = f"[{now:%Y-%m-%d %H:%M} {moderator.username}] {note}"
    for report in reports:
        report.status = status
        report.handled_by = moderator
        report.handled_at = now
        report.notes = f"{report.notes}\n{line}" if report.notes else line
    if reports:
        Report.objects.bulk_update(reports, ["status", "handled_by", "handled_at", "notes"])
        LogEntry.objects.log_actions(moderator.pk, reports, CHANGE, change_message=note)
        # a message its sender deleted while reported kept its content for us until now
        messages_held_release(message_ids=[r.message_id for r in reports if r.message_id])
    targets = [t for t in targets if t is not None]
    if targets:
        LogEntry.objects.log_actions(moderator.pk, targets, flag, change_message=note)
    return len(reports)


def _note(action: str, notes: str) -> str:
    notes = (notes or "").strip()
    return f"{action}: {notes}" if notes else action


def report_dismiss(*, moderator: User, reports, notes: str = "") -> int:
    """Dismiss reports (nothing wrong with the target). Already-handled reports are left alone."""
    with transaction.atomic():
        reports = Report.objects.select_for_update().filter(
            pk__in=[r.pk for r in reports], status=Report.Status.OPEN
        )
        return _record(moderator=moderator, reports=reports, status=Report.Status.DISMISSED, note=_note("Dismissed", notes))


# --- Hiding -------------------------------------------------------------------------------------


def _set_hidden(*, model, obj, hidden: bool, moderator: User, notes: str, label: str) -> bool:
    with transaction.atomic():
        changed = model.objects.filter(pk=obj.pk, is_hidden=not hidden).update(is_hidden=hidden)
        obj.is_hidden = hidden
        if changed and model is Post:
            _post_count_move(obj, -1 if hidden else 1)
        if hidden:
            reports = _reports_about(obj).filter(status=Report.Status.OPEN)
            status = Report.Status.ACTIONED
            note = _note(f"{label} hidden", notes)
        else:
            # reversing a hide: the reports that led to it are now judged unfounded
            reports = _reports_about(obj).filter(status=Report.Status.ACTIONED)
            status = Report.Status.DISMISSED
            note = _note(f"{label} unhidden", notes)
        _record(moderator=moderator, reports=reports.select_for_update(), status=status, note=note, targets=[obj])
    return bool(changed)


def _post_count_move(post: Post, delta: int) -> None:
    """A hidden post is not counted on its author's profile (as an archived one): the UPDATE that
    flipped the flag holds the post's row, so the archive flag read here cannot change under us;
    an archived post was not counted and stays so (check_counters counts the same way)."""
    if Post.objects.filter(pk=post.pk, is_archived=False).exists():
        authors = User.objects.filter(pk=post.author_id)
        if delta < 0:
            authors = authors.filter(post_count__gt=0)
        authors.update(post_count=F("post_count") + delta)


def post_hide(*, moderator: User, post: Post, notes: str = "") -> bool:
    return _set_hidden(model=Post, obj=post, hidden=True, moderator=moderator, notes=notes, label="Post")


def post_unhide(*, moderator: User, post: Post, notes: str = "") -> bool:
    return _set_hidden(model=Post, obj=post, hidden=False, moderator=moderator, notes=notes, label="Post")


def story_hide(*, moderator: User, story: Story, notes: str = "") -> bool:
    """A hidden story leaves everyone else's trays and viewers; its author (with a notice) and staff
    still see it, as a hidden post (Story.objects.visible_to). It still expires (and goes) once no
    report on it is open."""
    return _set_hidden(model=Story, obj=story, hidden=True, moderator=moderator, notes=notes, label="Story")


def story_unhide(*, moderator: User, story: Story, notes: str = "") -> bool:
    return _set_hidden(model=Story, obj=story, hidden=False, moderator=moderator, notes=notes, label="Story")


def comment_hide(*, moderator: User, comment: Comment, notes: str = "") -> bool:
    return _set_hidden(model=Comment, obj=comment, hidden=True, moderator=moderator, notes=notes, label="Comment")


def comment_unhide(*, moderator: User, comment: Comment, notes: str = "") -> bool:
    return _set_hidden(model=Comment, obj=comment, hidden=False, moderator=moderator, notes=notes, label="Comment")


# --- Deleting -----------------------------------------------------------------------------------


def _excerpt(text: str, length: int = 80) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[: length - 1] + "…"


def _keep_reports_on_author(*, target, moderator: User, note: str) -> None:
    """Reports cascade away with their post or comment. Before deleting, move each report about
    the target onto its author (status actioned, what was deleted in the notes), so the audit
    trail survives the content."""
    kind = target_kind(target)
    reports = list(_reports_about(target).select_for_update())
    for report in reports:
        if report.status == Report.Status.OPEN:
            # an open report of the author by the same reporter would collide; it stays open
            report.status = Report.Status.ACTIONED
        setattr(report, kind, None)
        report.user_id = target.author_id
    Report.objects.bulk_update(reports, ["status", "post", "comment", "user"])
    _record(moderator=moderator, reports=reports, status=Report.Status.ACTIONED, note=note)


def content_delete(*, moderator: User, post: Post | None = None, comment: Comment | None = None, notes: str = "") -> None:
    """Delete a reported post or comment for good (its reports survive on the author)."""
    if (post is None) == (comment is None):
        raise ValueError("content_delete takes exactly one of post or comment")
    with transaction.atomic():
        if post is not None:
            note = _note(f"Post {post.pk} deleted (caption: “{_excerpt(post.caption)}”)", notes)
            _keep_reports_on_author(target=post, moderator=moderator, note=note)
            LogEntry.objects.log_actions(moderator.pk, [post], DELETION, change_message=note)
            post_delete(post=post)
        else:
            note = _note(f"Comment {comment.pk} on post {comment.post_id} deleted (“{_excerpt(comment.body)}”)", notes)
            _keep_reports_on_author(target=comment, moderator=moderator, note=note)
            LogEntry.objects.log_actions(moderator.pk, [comment], DELETION, change_message=note)
            _, per_model = Comment.objects.filter(pk=comment.pk).delete()
            if per_model.get(Comment._meta.label):  # only a row really deleted here is uncounted
                Post.objects.filter(pk=comment.post_id, comment_count__gt=0).update(
                    comment_count=F("comment_count") - 1
                )


def message_remove(*, moderator: User, message: Message, notes: str = "") -> bool:
    """Delete a reported direct message for everyone (social.messages' soft delete: the content and
    file go, the row stays, so its reports keep their target and the context they copied). Its open
    reports are actioned. A message its sender deleted already, its content held for the open
    reports, loses that content now (True: something was deleted)."""
    with transaction.atomic():
        note = _note(f"Message {message.pk} deleted (“{_excerpt(message.text)}”)", notes)
        held = message.is_held_for_reports
        reports = _reports_about(message).filter(status=Report.Status.OPEN).select_for_update()
        _record(moderator=moderator, reports=reports, status=Report.Status.ACTIONED, note=note, targets=[message])
        return message_soft_delete(message=message) or held


def _reports_move_onto_authors(moves: list[tuple[Report, int, str]]) -> int:
    """Content is going for good without a moderator (its author deleted it, or a story expired)
    and the reports on it would cascade away with it: each (report, the content's author id, what
    happened) moves onto that author, what happened appended to its notes, so the audit trail
    survives the content (as `_keep_reports_on_author` does for a moderator's delete). A handled
    report keeps its status. An open one stays open, now about the account (deleting what was
    reported does not settle the report), unless its reporter already has an open report of that
    account (one open report per reporter and target): then it is closed, actioned, and the open
    one names it. The reports are read locked by the caller. How many moved."""
    if not moves:
        return 0
    now = timezone.now()
    stamp = f"[{now:%Y-%m-%d %H:%M}]"
    authors = {author_id for _, author_id, _ in moves}
    reporters = {r.reporter_id for r, _, _ in moves if r.status == Report.Status.OPEN and r.reporter_id}
    open_on_account = {
        (r.reporter_id, r.user_id): r
        for r in Report.objects.select_for_update().filter(
            status=Report.Status.OPEN, user_id__in=authors, reporter_id__in=reporters
        )
    }
    others: dict[int, Report] = {}  # open reports of the accounts that a moved one is folded into
    for report, author_id, what in moves:
        line = f"{stamp} {what}; the report stays on its author."
        if report.status == Report.Status.OPEN and report.reporter_id:
            kept = open_on_account.setdefault((report.reporter_id, author_id), report)
            if kept is not report:
                report.status = Report.Status.ACTIONED
                report.handled_at = now
                line += f" Closed: the reporter's open report #{kept.pk} of the account stays open."
                kept.notes = f"{kept.notes}\n{stamp} Report #{report.pk} ({what}) was closed into this one.".lstrip()
                if kept.pk not in {r.pk for r, _, _ in moves}:
                    others[kept.pk] = kept
        report.notes = f"{report.notes}\n{line}" if report.notes else line
        report.post = report.comment = report.story = None
        report.user_id = author_id
    reports = [report for report, _, _ in moves]
    # the open ones folded into others are closed first: the one left open then meets no twin
    reports.sort(key=lambda r: r.status == Report.Status.OPEN)
    for report in reports:
        Report.objects.filter(pk=report.pk).update(
            status=report.status, handled_at=report.handled_at, notes=report.notes,
            post=None, comment=None, story=None, user_id=report.user_id,
        )
    if others:
        Report.objects.bulk_update(others.values(), ["notes"])
    return len(reports)


STORY_GONE = {"expired": "Story {} expired and was deleted", "deleted": "Story {} was deleted by its author"}

# A note's line saying what a report was about went: written by `_reports_move_onto_authors` ("Story
# 12 was deleted by its author") and by a moderator's `content_delete` ("Post 5 deleted (caption: …)").
_MOVED = re.compile(r"^\[[^\]\n]*\] ((Story|Post|Comment) \d+ [^\n;]*?\b(?:deleted|expired)\b[^\n;]*)", re.MULTILINE)


def report_moved_from(report: Report) -> tuple[str, str] | None:
    """For a report now about an account because what it reported (a story, post or comment) was
    deleted: its kind ("story") and the note's line saying what happened, for the moderators' queue
    and preview; None otherwise."""
    if not report.user_id or report.target_deleted:
        return None
    match = _MOVED.search(report.notes or "")
    return (match.group(2).lower(), match.group(1)) if match else None


def story_reports_hold(*, story_ids) -> list[int]:
    """The stories among `story_ids` (past their 24 hours) that must stay for now: those with an
    open report, kept (invisible, as expired) until a moderator handles it
    (posts.signals.stories_expiry_hold)."""
    return list(
        Report.objects.filter(story_id__in=list(story_ids), status=Report.Status.OPEN)
        .values_list("story_id", flat=True).distinct()
    )


def story_reports_keep(*, story_ids, reason: str = "expired") -> int:
    """Stories are about to be deleted (posts.signals.stories_deleting: expired, or deleted by their
    author): every report on them moves onto the story's author, the story named in its notes
    (`_reports_move_onto_authors`). Runs in the deleting transaction; how many moved."""
    reports = list(
        Report.objects.select_for_update(of=("self",)).filter(story_id__in=list(story_ids))
        .select_related("story").order_by("pk")
    )
    what = STORY_GONE.get(reason, STORY_GONE["deleted"])
    return _reports_move_onto_authors([(r, r.story.author_id, what.format(r.story_id)) for r in reports])


def comment_reports_keep(*, comment_id: int, by_id: int) -> int:
    """A comment is about to be deleted by its author or the post's author
    (posts.signals.comment_deleting): the reports on it move onto the comment's author
    (`_reports_move_onto_authors`). How many moved."""
    reports = list(
        Report.objects.select_for_update(of=("self",)).filter(comment_id=comment_id).select_related("comment").order_by("pk")
    )
    moves = []
    for report in reports:
        comment = report.comment
        who = "its author" if by_id == comment.author_id else "the post's author"
        what = f"Comment {comment.pk} on post {comment.post_id} was deleted by {who} (“{_excerpt(comment.body)}”)"
        moves.append((report, comment.author_id, what))
    return _reports_move_onto_authors(moves)


def post_reports_keep(*, post_id: int) -> int:
    """A post is about to be deleted by its author (posts.signals.post_deleting; a moderator's
    `content_delete` moves the post's own reports first): the reports on it and on its comments
    (which go with it) move onto their authors (`_reports_move_onto_authors`). How many moved."""
    reports = list(
        Report.objects.select_for_update(of=("self",))
        .filter(Q(post_id=post_id) | Q(comment__post_id=post_id))
        .select_related("post", "comment").order_by("pk")
    )
    moves = []
    for report in reports:
        if report.post_id:
            what = f"Post {post_id} was deleted by its author (caption: “{_excerpt(report.post.caption)}”)"
            moves.append((report, report.post.author_id, what))
        else:
            comment = report.comment
            what = f"Comment {comment.pk} was deleted with post {post_id} (“{_excerpt(comment.body)}”)"
            moves.append((report, comment.author_id, what))
    return _reports_move_onto_authors(moves)


# --- Suspending ---------------------------------------------------------------------------------


def _end_sessions(user: User) -> int:
    """Sign `user` out everywhere, now (accounts' one way of doing it, also used when a person
    deletes their account)."""
    return sessions_end_for_user(user)


def user_suspend(*, moderator: User, user: User, notes: str = "") -> bool:
    """Deactivate an account: it can't sign in, every session and client-API token ends, and its
    posts, comments and profile disappear through the visibility rule. Its open reports (against
    the account and its content) are actioned."""
    if user.pk == moderator.pk:
        raise ModerationError("You can't suspend yourself.")
    if user.is_superuser or (user.is_staff and not moderator.is_superuser):
        raise ModerationError(f"@{user.username} is staff; only a superuser can suspend them.")
    if user.deletion_requested_at is not None and not user.is_active:
        # already deactivated by its owner, and purged when the grace period ends; a suspension here
        # would be lifted by their restore (suspend them if they come back)
        raise ModerationError(f"@{user.username} deleted their account; it is deactivated and will be purged.")
    with transaction.atomic():
        changed = User.objects.filter(pk=user.pk, is_active=True).update(is_active=False)
        user.is_active = False
        _end_sessions(user)
        tokens_revoke_for_user(user=user)
        reports = Report.objects.filter(
            Q(user=user) | Q(post__author=user) | Q(comment__author=user) | Q(story__author=user), status=Report.Status.OPEN
        ).select_for_update(of=("self",))  # PostgreSQL refuses FOR UPDATE on the outer joins' nullable side
        _record(
            moderator=moderator, reports=reports, status=Report.Status.ACTIONED,
            note=_note(f"Account @{user.username} suspended", notes), targets=[user],
        )
        # and the open reports of their direct messages
        message_reports = Report.objects.filter(message__sender=user, status=Report.Status.OPEN).select_for_update()
        _record(moderator=moderator, reports=message_reports, status=Report.Status.ACTIONED,
                note=_note(f"Account @{user.username} suspended", notes))
    return bool(changed)


def user_reinstate(*, moderator: User, user: User, notes: str = "") -> bool:
    """Reactivate a suspended account; its content shows again (hidden posts stay hidden)."""
    with transaction.atomic():
        changed = User.objects.filter(pk=user.pk, is_active=False).update(is_active=True)
        user.is_active = True
        if not changed:  # not suspended: nothing to undo, and the audit trail stays as it is
            return False
        reports = Report.objects.filter(user=user, status=Report.Status.ACTIONED).select_for_update()
        _record(
            moderator=moderator, reports=reports, status=Report.Status.DISMISSED,
            note=_note(f"Account @{user.username} reinstated", notes), targets=[user],
        )
    return bool(changed)
