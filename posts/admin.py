"""Posts in the admin: thumbnails from prefetched media (no query per row), search by caption and
author, filters, media inline, counters read-only. Moderation actions are added on top of this
class by social/admin.py."""

from django.contrib import admin
from django.db.models import Prefetch
from django.utils.html import format_html

from instaclone.media.renditions import rendition_url

from .models import Hashtag, ImportJob, Post, PostMedia
from .stories.models import Story
from .stories.selectors import with_media_urls


def _thumb(media, size=56):
    src = rendition_url(media, 320) if media else ""
    if not src:
        return format_html('<span title="{}">{}</span>', "no preview", "▶" if media else "—")
    return format_html(
        '<img src="{}" width="{}" height="{}" alt="{}" class="admin-thumb" loading="lazy">',
        src, size, size, media.alt_text,
    )


class PostMediaInline(admin.TabularInline):
    model = PostMedia
    extra = 0
    max_num = 0  # media are added by the upload pipeline, never here
    can_delete = False
    fields = ("preview", "position", "kind", "status", "error", "width", "height", "alt_text", "file", "renditions",
              "storage_id")
    readonly_fields = ("preview", "position", "kind", "status", "error", "width", "height", "file", "renditions",
                       "storage_id")
    ordering = ("position",)

    @admin.display(description="preview")
    def preview(self, obj):
        return _thumb(obj, 96)


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("thumbnail", "id", "author", "caption_excerpt", "media_count", "has_video", "like_count",
                    "comment_count", "created")
    list_display_links = ("thumbnail", "id")
    list_select_related = ("author",)
    list_filter = ("is_hidden", "has_video", "media_pending", "media__status", ("created", admin.DateFieldListFilter))
    date_hierarchy = "created"
    search_fields = ("caption", "author__username")
    raw_id_fields = ("author",)
    exclude = ("hashtags", "mentions")
    # counters, states the services move counters with (hide through the moderation actions, archive
    # as the author), and the frame: editing them here would skip the F() moves and the archive time
    readonly_fields = ("author", "created", "updated", "like_count", "comment_count", "media_count", "has_video",
                       "media_pending", "is_hidden", "is_archived", "archived_at", "aspect", "aspect_ratio")
    inlines = [PostMediaInline]
    ordering = ("-created", "-id")
    list_per_page = 50

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related(
            Prefetch("media", queryset=PostMedia.objects.order_by("position"))
        )

    def has_add_permission(self, request):
        return False  # posts are created through the upload pipeline (/p/new/)

    @admin.display(description="preview")
    def thumbnail(self, obj):
        media = obj.media.all()  # prefetched: no query per row
        return _thumb(media[0] if media else None)

    @admin.display(description="caption")
    def caption_excerpt(self, obj):
        return obj.caption if len(obj.caption) <= 80 else obj.caption[:79] + "…"


@admin.register(Hashtag)
class HashtagAdmin(admin.ModelAdmin):
    list_display = ("name", "created")
    search_fields = ("name",)
    ordering = ("name",)


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Imports (Settings → Import), read only: what a person's import did and why posts failed.
    A job left "running" by a task that failed for good resumes where it stopped when the task is
    run again (the admin's tasks page, "Run again")."""

    list_display = ("id", "owner", "source", "status", "total", "done", "skipped", "failed", "created", "finished_at")
    list_filter = ("status", "source")
    list_select_related = ("owner",)
    search_fields = ("owner__username",)
    readonly_fields = [f.name for f in ImportJob._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    """Stories in the admin, for looking into reports: read-only (stories are made by their authors
    and go after 24 hours); hiding is social/admin.py's moderation action on top of this class."""

    list_display = ("preview", "id", "author", "kind", "status", "created", "expires_at", "view_count")
    list_display_links = ("preview", "id")
    list_select_related = ("author",)
    list_filter = ("is_hidden", "kind", "status")
    search_fields = ("author__username",)
    ordering = ("-created", "-id")
    list_per_page = 50
    readonly_fields = ("preview", *(f.name for f in Story._meta.fields))
    fields = readonly_fields

    def has_add_permission(self, request):
        return False  # stories are added through the upload pipeline (/stories/new/)

    @admin.display(description="preview")
    def preview(self, obj):
        story = with_media_urls(obj)
        src = story.poster_src if story.is_video else story.src
        if not src:
            return format_html('<span title="{}">{}</span>', story.get_status_display(), "▶")
        return format_html('<img src="{}" width="32" height="57" alt="{}" class="admin-thumb" loading="lazy">', src, story.alt_text)
