"""The moderation queue in the Django admin, and the moderation parts of the post, comment and user
admins.

Moderators are staff in the "Moderators" group (permissions: social/migrations, "moderators
permissions"). Everything they change goes through social.moderation, which records it on the
report(s) and in the admin log; the admin forms themselves are read-only for them.

The post, comment and user admins belong to their apps. This module loads last (social comes after
accounts and posts in INSTALLED_APPS), takes whatever admin class each app registered, and
re-registers a subclass with the moderation mixin on top, so dependencies keep pointing
social -> posts -> accounts and the owners' admin files stay theirs.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.exceptions import NotRegistered
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator

from accounts.models import User
from instaclone.media.renditions import rendition_url
from instaclone.templatetags.timeago import timeago
from posts.models import Comment, Post, PostMedia
from posts.selectors import cards_context, with_body_html
from posts.stories.models import Story
from posts.stories.selectors import with_media_urls

from . import moderation
from .messages.models import Message
from .messages.selectors import message_for_moderators
from .models import Notification, Report


def _count_subquery(qs) -> Coalesce:
    """COUNT(*) of `qs` as a correlated subquery (0 when none)."""
    counted = qs.order_by().values("status").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _open_reports(**correlation) -> Coalesce:
    return _count_subquery(Report.objects.filter(status=Report.Status.OPEN, **correlation))


def _thumbnail_url(post: Post | None) -> str:
    """A small rendition of a post's first media item (media are prefetched), through the one
    rendition helper (local renditions or ImageKit; a video's poster)."""
    if post is None:
        return ""
    items = list(post.media.all())
    if not items:
        return ""
    try:
        return rendition_url(items[0], 320)
    except Exception:  # noqa: BLE001 - a preview must never break the queue
        return ""


def _user_link(user: User | None):
    if user is None:
        return "—"
    url = reverse("admin:accounts_user_change", args=[user.pk])
    suspended = "" if user.is_active else " (suspended)"
    return format_html('<a href="{}">@{}</a>{}', url, user.username, suspended)


PREVIEW_CHARS = 60  # the queue's excerpts: the whole text is in a tooltip and on the report's page


def _excerpt(text: str, n: int = 120) -> str:
    return Truncator(" ".join((text or "").split())).chars(n)


def _message(modeladmin, request, done: int, skipped: list[str], verb: str) -> None:
    if done:
        modeladmin.message_user(request, f"{verb}: {done}.", messages.SUCCESS)
    for reason in skipped:
        modeladmin.message_user(request, reason, messages.WARNING)
    if not done and not skipped:
        modeladmin.message_user(request, "Nothing to do.", messages.INFO)


def _notes(request) -> str:
    """Notes typed on the report's page go with the action (see ReportAdmin.moderate_view)."""
    return getattr(request, "moderation_notes", "")


def _require(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _read_only_for_moderators(request, context) -> None:
    """Moderators change things through the recorded actions only: no Save buttons."""
    if not request.user.is_superuser:
        context.update(show_save=False, show_save_and_continue=False, show_save_and_add_another=False)


# --- Actions shared by the admins -----------------------------------------------------------------
# Each takes targets (posts, comments or users) and returns (done, skipped messages).


def _hide(request, targets, *, hide: bool) -> tuple[int, list[str]]:
    done, skipped = 0, []
    for target in targets:
        if isinstance(target, Post):
            _require(request, "posts.change_post")
            fn = moderation.post_hide if hide else moderation.post_unhide
            done += fn(moderator=request.user, post=target, notes=_notes(request))
        elif isinstance(target, Comment):
            _require(request, "posts.change_comment")
            fn = moderation.comment_hide if hide else moderation.comment_unhide
            done += fn(moderator=request.user, comment=target, notes=_notes(request))
        elif isinstance(target, Story):
            _require(request, "posts.change_post")  # a story is hidden like a post (one permission for both)
            fn = moderation.story_hide if hide else moderation.story_unhide
            done += fn(moderator=request.user, story=target, notes=_notes(request))
        elif isinstance(target, Message):
            skipped.append(f"Message {target.pk} is a direct message: delete it instead (messages are never hidden).")
        else:
            skipped.append(f"@{target.username} is an account: suspend or reinstate it instead.")
    return done, skipped


def _delete(request, targets) -> tuple[int, list[str]]:
    done, skipped = 0, []
    for target in targets:
        if isinstance(target, Post):
            _require(request, "posts.change_post")
            moderation.content_delete(moderator=request.user, post=target, notes=_notes(request))
            done += 1
        elif isinstance(target, Comment):
            _require(request, "posts.change_comment")
            moderation.content_delete(moderator=request.user, comment=target, notes=_notes(request))
            done += 1
        elif isinstance(target, Story):
            skipped.append(f"Story {target.pk} goes by itself when it expires: hide it instead.")
        elif isinstance(target, Message):
            _require(request, "social.change_report")  # part of working the queue (moderators have it)
            done += moderation.message_remove(moderator=request.user, message=target, notes=_notes(request))
        else:
            skipped.append(f"@{target.username} is an account: accounts are suspended, not deleted, here.")
    return done, skipped


def _suspend(request, users, *, suspend: bool) -> tuple[int, list[str]]:
    _require(request, "accounts.change_user")
    done, skipped = 0, []
    for user in {u.pk: u for u in users}.values():
        try:
            if suspend:
                done += moderation.user_suspend(moderator=request.user, user=user, notes=_notes(request))
            else:
                done += moderation.user_reinstate(moderator=request.user, user=user, notes=_notes(request))
        except moderation.ModerationError as exc:
            skipped.append(exc.message)
    return done, skipped


# --- Reports ------------------------------------------------------------------------------------


class StatusFilter(admin.SimpleListFilter):
    """Status, opening on the open reports (the work to do) rather than on all of them; "All" is a
    choice of its own. Same parameter as Django's field filter, so `?status__exact=dismissed` links
    keep working."""

    title = "status"
    parameter_name = "status__exact"
    ALL = "all"

    def lookups(self, request, model_admin):
        return [*Report.Status.choices, (self.ALL, "All")]

    def value(self):
        return super().value() or Report.Status.OPEN

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        if self.value() == self.ALL:
            return queryset
        return queryset.filter(status=self.value())


class TargetTypeFilter(admin.SimpleListFilter):
    title = "target type"
    parameter_name = "target"

    def lookups(self, request, model_admin):
        return [("post", "Post"), ("comment", "Comment"), ("user", "Account"), ("deleted", "Deleted account")] + [
            ("message", "Direct message"),
            ("story", "Story"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "deleted":
            return queryset.filter(target_deleted=True)
        if self.value() in ("post", "comment", "user"):
            return queryset.filter(**{f"{self.value()}__isnull": False})
        if self.value() == "message":
            return queryset.filter(message__isnull=False)
        if self.value() == "story":
            return queryset.filter(story__isnull=False)
        return queryset


def _report_target(report: Report):
    """The post, comment or account reported; None once that account was purged (issue 15)."""
    if report.message_id:  # a direct message (kept, even deleted: a soft delete)
        return report.message
    if report.story_id:  # a story (kept past its expiry while a report on it is open)
        return report.story
    return report.post or report.comment or report.user


REPORT_ACTIONS = {
    "hide_content": "Hide the reported content",
    "unhide_content": "Unhide the reported content",
    "delete_content": "Delete the reported content",
    "suspend_author": "Suspend the author",
    "reinstate_author": "Reinstate the author",
    "dismiss_reports": "Dismiss (nothing wrong)",
}


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    # Six narrow columns beside the filters fit a 1280px laptop screen (the reporter, the exact
    # time and the type are on the report's page; the preview says what kind of target it is).
    list_display = ("report", "reason", "preview", "author", "open_for_target", "status")
    list_display_links = ("report",)
    list_filter = (StatusFilter, "reason", TargetTypeFilter)
    search_fields = ("reporter__username", "user__username", "post__author__username", "comment__author__username")
    search_fields = (*search_fields, "message__sender__username")
    search_fields = (*search_fields, "story__author__username")
    ordering = ("-created", "-id")
    list_per_page = 50
    actions = list(REPORT_ACTIONS)
    fields = (
        "reporter", "created", "reason", "text", "target_type", "preview", "author", "open_for_target",
        "status", "handled_by", "handled_at", "notes",
    )
    readonly_fields = fields
    change_form_template = "admin/social/report/change_form.html"

    def changelist_view(self, request, extra_context=None):
        # The queue takes the whole width: without the admin's app sidebar (300px; the breadcrumbs
        # lead back) its columns and the filters fit a 1280px laptop screen.
        return super().changelist_view(request, {"is_nav_sidebar_enabled": False, **(extra_context or {})})

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("reporter", "user", "post__author", "comment__author", "comment__post", "handled_by")
            .select_related("message__sender")
            .select_related("story__author")
            .prefetch_related(Prefetch("post__media", queryset=PostMedia.objects.order_by("position")))
            .annotate(
                open_count=_open_reports(post=OuterRef("post"))
                + _open_reports(comment=OuterRef("comment"))
                + _open_reports(user=OuterRef("user"))
                + _open_reports(message=OuterRef("message"))
                + _open_reports(story=OuterRef("story"))
            )
        )

    # Reports come from members and stay as the audit trail: no adding or deleting here.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="report", ordering="created")
    def report(self, report):
        return format_html("#{} · {}", report.pk, timeago(report.created))

    @admin.display(description="type")
    def target_type(self, report):
        if report.target_deleted:
            return "deleted with its account"
        if report.message_id:
            return "direct message"
        if report.story_id:
            return "story"
        if report.post_id or report.comment_id:
            return "post" if report.post_id else "comment"
        moved = moderation.report_moved_from(report)
        return f"account ({moved[0]} deleted)" if moved else "account"

    @admin.display(description="target")
    def preview(self, report):
        if report.target_deleted:
            return format_html('<span class="admin-excerpt">{}</span>', "Deleted with its account")
        if report.post_id:
            post = report.post
            url = reverse("admin:posts_post_change", args=[post.pk]) if admin.site.is_registered(Post) else post.get_absolute_url()
            thumb = _thumbnail_url(post)
            hidden = " [hidden]" if post.is_hidden else ""
            caption = _excerpt(post.caption, PREVIEW_CHARS) or "(no caption)"
            if thumb:
                return format_html(
                    '<a href="{}"><img src="{}" alt="" width="40" height="40" class="admin-thumb"></a> '
                    '<span class="admin-excerpt" title="{}">{}{}</span>',
                    url, thumb, post.caption, caption, hidden,
                )
            return format_html(
                '<a href="{}">Post {}</a> <span class="admin-excerpt" title="{}">{}{}</span>',
                url, post.pk, post.caption, caption, hidden,
            )
        if report.comment_id:
            comment = report.comment
            hidden = " [hidden]" if comment.is_hidden else ""
            return format_html(
                '<span class="admin-excerpt" title="{}">Comment “{}”{}</span>',
                comment.body, _excerpt(comment.body, PREVIEW_CHARS), hidden,
            )
        if report.message_id:
            message = report.message
            text = "(deleted by its sender)" if message.deleted_at else (message.text or f"({message.get_kind_display().lower()})")
            return format_html(
                '<span class="admin-excerpt" title="{}">Direct message “{}”</span>', message.text, _excerpt(text, PREVIEW_CHARS),
            )
        if report.story_id:
            story = with_media_urls(report.story)
            states = "".join(f" [{state}]" for state, on in (("hidden", story.is_hidden), ("expired", story.expires_at <= timezone.now())) if on)
            thumb = story.poster_src if story.is_video else story.src
            return format_html(
                '<img src="{}" alt="" width="24" height="43" class="admin-thumb"> <span class="admin-excerpt">{} story{}</span>',
                thumb, story.get_kind_display(), states,
            ) if thumb else format_html('<span class="admin-excerpt">{} story{}</span>', story.get_kind_display(), states)
        user = report.user
        moved = moderation.report_moved_from(report)
        if moved:  # a deleted story, post or comment's report, now on its author
            return format_html('<span class="admin-excerpt" title="{}">@{}: {} deleted</span>', moved[1], user.username, moved[0].capitalize())
        return format_html(
            '<span class="admin-excerpt" title="{}">Profile of @{} {}</span>',
            user.bio, user.username, _excerpt(user.bio, PREVIEW_CHARS - 20),
        )

    @admin.display(description="author")
    def author(self, report):
        target = _report_target(report)
        return _user_link(moderation.target_author(target) if target is not None else None)

    @admin.display(description="open on target", ordering="open_count")
    def open_for_target(self, report):
        return report.open_count

    # actions on the selected reports

    def _targets(self, queryset):
        # a report whose target's account was purged has nothing left to act on but dismissing
        return [t for t in (_report_target(r) for r in queryset) if t is not None]

    @admin.action(description=REPORT_ACTIONS["hide_content"], permissions=["change"])
    def hide_content(self, request, queryset):
        _message(self, request, *_hide(request, self._targets(queryset), hide=True), verb="Hidden")

    @admin.action(description=REPORT_ACTIONS["unhide_content"], permissions=["change"])
    def unhide_content(self, request, queryset):
        _message(self, request, *_hide(request, self._targets(queryset), hide=False), verb="Unhidden")

    @admin.action(description=REPORT_ACTIONS["delete_content"], permissions=["change"])
    def delete_content(self, request, queryset):
        # one target may have several selected reports: delete it once
        targets = {(type(t), t.pk): t for t in self._targets(queryset)}
        _message(self, request, *_delete(request, targets.values()), verb="Deleted")

    @admin.action(description=REPORT_ACTIONS["suspend_author"], permissions=["change"])
    def suspend_author(self, request, queryset):
        authors = [moderation.target_author(t) for t in self._targets(queryset)]
        _message(self, request, *_suspend(request, authors, suspend=True), verb="Suspended")

    @admin.action(description=REPORT_ACTIONS["reinstate_author"], permissions=["change"])
    def reinstate_author(self, request, queryset):
        authors = [moderation.target_author(t) for t in self._targets(queryset)]
        _message(self, request, *_suspend(request, authors, suspend=False), verb="Reinstated")

    @admin.action(description=REPORT_ACTIONS["dismiss_reports"], permissions=["change"])
    def dismiss_reports(self, request, queryset):
        done = moderation.report_dismiss(moderator=request.user, reports=list(queryset), notes=_notes(request))
        _message(self, request, done, [], verb="Dismissed")

    # the same actions as buttons on one report's page

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/moderate/",
                self.admin_site.admin_view(self.moderate_view),
                name=f"{info[0]}_{info[1]}_moderate",
            ),
            *super().get_urls(),
        ]

    def moderate_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        report = self.get_object(request, object_id)
        if report is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, report):
            raise PermissionDenied
        name = request.POST.get("action", "")
        if name not in REPORT_ACTIONS:
            self.message_user(request, "Unknown action.", messages.ERROR)
        else:
            request.moderation_notes = request.POST.get("notes", "")[:1000]
            queryset = self.get_queryset(request).filter(pk=report.pk)
            getattr(self, name)(request, queryset)
        if name == "delete_content" and not Report.objects.filter(pk=report.pk).exists():  # pragma: no cover
            return HttpResponseRedirect(reverse("admin:social_report_changelist"))
        return HttpResponseRedirect(reverse("admin:social_report_change", args=[report.pk]))

    def _buttons(self, report):
        """The actions that make sense for this report's target right now."""
        target = _report_target(report)
        names = []
        if target is None:  # the account was purged: only the report's own status is left
            if report.status == Report.Status.OPEN:
                names.append("dismiss_reports")
            return [(name, REPORT_ACTIONS[name]) for name in names]
        author = moderation.target_author(target)
        if isinstance(target, Message):
            # deleted for everyone, never hidden (a delete by its sender held for the reports: finish it)
            names += [] if target.deleted_at and not target.is_held_for_reports else ["delete_content"]
        elif isinstance(target, Story):
            names.append("unhide_content" if target.is_hidden else "hide_content")  # it expires by itself
        elif not isinstance(target, User):
            names += ["unhide_content" if target.is_hidden else "hide_content", "delete_content"]
        names.append("suspend_author" if author.is_active else "reinstate_author")
        if report.status == Report.Status.OPEN:
            names.append("dismiss_reports")
        return [(name, REPORT_ACTIONS[name]) for name in names]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context.update(
            show_save=False, show_save_and_continue=False, show_save_and_add_another=False, show_delete=False,
            moderation_actions=self._buttons(obj) if obj and self.has_change_permission(request, obj) else (),
            moderation_preview=_target_preview(request, obj) if obj else "",
        )
        return super().render_change_form(request, context, add, change, form_url, obj)


def _target_preview(request, report: Report) -> str:
    """The reported item drawn with the site's own templates — the post card, the comment, the
    profile header — as stored: hidden, archived, of a private or suspended author or of someone who
    blocked the moderator (docs/architecture.md, "Moderation previews read past the visibility
    rule"), with each such state named above it. Rendered inert: a preview, not a place to act."""
    context = {"report": report}
    if report.target_deleted:
        return format_html("<p>{}</p>", "The reported account was deleted by its owner and purged, with its content.")
    if report.post_id:
        post = report.post  # media prefetched by get_queryset
        context.update(cards_context(request.user, [post]), post=post, author=post.author)
    elif report.comment_id:
        comment = report.comment
        with_body_html([comment])
        context.update(comment=comment, post=comment.post, author=comment.author)
    elif report.message_id:
        # the messages around it the reporter could see, as copied when reporting (Report.context)
        context.update(message=message_for_moderators(report.message), author=report.message.sender)
    elif report.story_id:
        story = with_media_urls(report.story)
        context.update(story=story, author=story.author, story_expired=story.expires_at <= timezone.now())
    else:
        context["author"] = report.user
        # a story, post or comment deleted since: the report is now about its author's account
        context["moved_kind"], context["moved_note"] = moderation.report_moved_from(report) or ("", "")
    return render_to_string("admin/social/report/_preview.html", context, request=request)


# --- Notifications: read-only, for looking into complaints ---------------------------------------


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("id", "created", "recipient", "kind", "actor", "post", "comment", "read_at")
    list_filter = ("kind",)
    list_select_related = ("recipient", "actor")
    search_fields = ("recipient__username", "actor__username")
    raw_id_fields = ("recipient", "actor", "post", "comment")
    ordering = ("-created", "-id")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- Moderation on the post, comment and user admins -------------------------------------------------


def _base_admin(model):
    """The admin class the owning app registered for `model` (unregistered here), or ModelAdmin."""
    try:
        base = type(admin.site.get_model_admin(model))
    except NotRegistered:
        return admin.ModelAdmin
    admin.site.unregister(model)
    return base


class ContentModerationMixin:
    """Report counts and hide/unhide/delete actions for Post and Comment admins."""

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            open_report_count=_open_reports(**{self.model._meta.model_name: OuterRef("pk")})
        )

    def get_list_display(self, request):
        return tuple(dict.fromkeys((*super().get_list_display(request), "is_hidden", "open_reports")))

    def get_list_filter(self, request):
        return tuple(dict.fromkeys((*super().get_list_filter(request), "is_hidden")))

    @admin.display(description="open reports", ordering="open_report_count")
    def open_reports(self, obj):
        if not obj.open_report_count:
            return 0
        url = reverse("admin:social_report_changelist")
        kind = self.model._meta.model_name
        return format_html('<a href="{}?{}__id__exact={}&status__exact=open">{}</a>', url, kind, obj.pk, obj.open_report_count)

    def get_actions(self, request):
        actions = super().get_actions(request)
        # deleting goes through moderation.content_delete (counters, files, audit trail)
        actions.pop("delete_selected", None)
        return actions

    def delete_model(self, request, obj):
        # a superuser's "Delete" goes through the same service (counters, files, audit trail)
        moderation.content_delete(moderator=request.user, **{self.model._meta.model_name: obj})

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    @admin.action(description="Hide (moderation)", permissions=["change"])
    def hide_selected(self, request, queryset):
        _message(self, request, *_hide(request, list(queryset), hide=True), verb="Hidden")

    @admin.action(description="Unhide (moderation)", permissions=["change"])
    def unhide_selected(self, request, queryset):
        _message(self, request, *_hide(request, list(queryset), hide=False), verb="Unhidden")

    @admin.action(description="Delete (moderation, recorded)", permissions=["change"])
    def delete_moderated(self, request, queryset):
        _message(self, request, *_delete(request, list(queryset)), verb="Deleted")

    @admin.action(description="Suspend the authors", permissions=["change"])
    def suspend_authors(self, request, queryset):
        authors = [obj.author for obj in queryset.select_related("author")]
        _message(self, request, *_suspend(request, authors, suspend=True), verb="Suspended")

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        _read_only_for_moderators(request, context)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_readonly_fields(self, request, obj=None):
        # is_hidden changes only through the recorded actions; moderators edit nobody's words
        fields = [*super().get_readonly_fields(request, obj), "is_hidden"]
        if not request.user.is_superuser:
            fields += [f.name for f in self.model._meta.fields]
        return tuple(dict.fromkeys(fields))


def _with_actions(base, names):
    return [*(getattr(base, "actions", None) or []), *names]


_PostBase = _base_admin(Post)


@admin.register(Post)
class PostModerationAdmin(ContentModerationMixin, _PostBase):
    actions = _with_actions(_PostBase, ["hide_selected", "unhide_selected", "delete_moderated", "suspend_authors"])
    if _PostBase is admin.ModelAdmin:
        list_display = ("id", "author", "created", "caption_excerpt")
        list_select_related = ("author",)
        search_fields = ("author__username", "caption")
        raw_id_fields = ("author",)
        exclude = ("hashtags", "mentions")
        ordering = ("-created", "-id")

        @admin.display(description="caption")
        def caption_excerpt(self, obj):
            return _excerpt(obj.caption, 80)


_CommentBase = _base_admin(Comment)


@admin.register(Comment)
class CommentModerationAdmin(ContentModerationMixin, _CommentBase):
    actions = _with_actions(_CommentBase, ["hide_selected", "unhide_selected", "delete_moderated", "suspend_authors"])
    if _CommentBase is admin.ModelAdmin:
        list_display = ("id", "author", "post", "created", "body_excerpt")
        list_select_related = ("author", "post")
        search_fields = ("author__username", "body")
        raw_id_fields = ("author", "post")
        ordering = ("-created", "-id")

        @admin.display(description="comment")
        def body_excerpt(self, obj):
            return _excerpt(obj.body, 80)


_StoryBase = _base_admin(Story)


@admin.register(Story)
class StoryModerationAdmin(ContentModerationMixin, _StoryBase):
    """Stories are hidden like posts (a hidden story leaves every tray and viewer) and never
    deleted here: they go by themselves after 24 hours, once no report on them is open."""

    actions = _with_actions(_StoryBase, ["hide_selected", "unhide_selected", "suspend_authors"])

    def has_delete_permission(self, request, obj=None):
        return False


_UserBase = _base_admin(User)


@admin.register(User)
class UserModerationAdmin(_UserBase):
    """Superusers keep the full user admin. Anyone else (moderators) sees a read-only summary and
    can only suspend or reinstate: no passwords, no staff flag, no groups or permissions."""

    actions = _with_actions(_UserBase, ["suspend_users", "reinstate_users"])
    moderator_fields = (
        "username", "display_name", "email", "is_active", "is_private", "bio", "website",
        "date_joined", "last_login", "post_count", "open_reports",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            open_report_count=_open_reports(user=OuterRef("pk"))
            + _open_reports(post__author=OuterRef("pk"))
            + _open_reports(comment__author=OuterRef("pk"))
            + _open_reports(story__author=OuterRef("pk"))
        )

    def get_list_display(self, request):
        return (*super().get_list_display(request), "open_reports")

    @admin.display(description="open reports", ordering="open_report_count")
    def open_reports(self, obj):
        count = getattr(obj, "open_report_count", None)
        if count is None:
            count = Report.objects.filter(
                Q(user=obj) | Q(post__author=obj) | Q(comment__author=obj) | Q(story__author=obj), status=Report.Status.OPEN
            ).count()
        return count

    def has_delete_permission(self, request, obj=None):
        # No raw delete, superusers included: the database cascade would bypass the services that
        # keep other people's counters (likes, comments, followers) and the stored files. Moderators
        # suspend; superusers have "Delete account now (purge)" (accounts/admin.py), the purge.
        return False

    def get_fieldsets(self, request, obj=None):
        if request.user.is_superuser or obj is None:
            return super().get_fieldsets(request, obj)
        return [(None, {"fields": self.moderator_fields})]

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return self.moderator_fields

    def has_add_permission(self, request):
        return request.user.is_superuser and super().has_add_permission(request)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        _read_only_for_moderators(request, context)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    @admin.action(description="Suspend (sign out everywhere, hide their content)", permissions=["change"])
    def suspend_users(self, request, queryset):
        _message(self, request, *_suspend(request, list(queryset), suspend=True), verb="Suspended")

    @admin.action(description="Reinstate", permissions=["change"])
    def reinstate_users(self, request, queryset):
        _message(self, request, *_suspend(request, list(queryset), suspend=False), verb="Reinstated")
