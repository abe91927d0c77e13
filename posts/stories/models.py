from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.visibility import visible_authors_q
from instaclone.links import link

from ..media_rows import failure_reason


def _field(prefix: str, name: str) -> str:
    return f"{prefix}__{name}" if prefix else name


def story_visible_q(viewer, prefix: str = "", *, now=None, published_only: bool = False) -> Q:
    """Stories (at `prefix`, "" for Story itself) the viewer may see, as `post_visible_q` for posts:
    the author passes the accounts rule (accounts.visibility: active, no block either way, public
    or followed or the viewer), the story has not expired, and it is not hidden by moderators —
    except that its author sees it (with a notice) and so do staff (privacy and blocks still apply
    to them). A video still being processed (or that failed) is its author's only.
    `published_only` drops hidden stories for everyone, author and staff included: what may be
    reported, replied to or counted as seen."""
    signed_in = viewer is not None and getattr(viewer, "is_authenticated", False)
    now = now or timezone.now()
    live = Q(**{_field(prefix, "expires_at__gt"): now})
    ready = Q(**{_field(prefix, "status"): Story.Status.READY})
    if signed_in and viewer.is_staff and not published_only:
        shown = ready
    else:
        shown = Q(**{_field(prefix, "is_hidden"): False}) & ready
    if signed_in:
        # a video in processing is its author's; a hidden story too, unless only published ones count
        own = Q(**{_field(prefix, "author"): viewer.pk})
        if published_only:
            own &= Q(**{_field(prefix, "is_hidden"): False})
        shown |= own
    return visible_authors_q(viewer, _field(prefix, "author")) & live & shown


class StoryQuerySet(models.QuerySet):
    def visible_to(self, viewer, *, now=None, published_only: bool = False):
        """The stories `viewer` may see (`story_visible_q`); every story page, the tray, the viewer,
        a view being recorded, a reply and a report start here."""
        return self.filter(story_visible_q(viewer, now=now, published_only=published_only))


class Story(models.Model):
    """One photo or short video (<= STORY_VIDEO_MAX_SECONDS) that lives until `expires_at`
    (created + 24 h). The hourly expiry task deletes the row and its files. Read through
    `Story.objects.visible_to(viewer)` (posts.stories.selectors), which applies the account
    visibility rule (private: followers only; blocks both ways; suspended authors) plus the
    moderators' hidden flag (its author and staff still see a hidden story) and the expiry."""

    class Kind(models.TextChoices):
        IMAGE = "image", "Image"
        VIDEO = "video", "Video"

    class Status(models.TextChoices):
        READY = "ready", "Ready"
        PROCESSING = "processing", "Processing"  # a video being transcoded: its author's only
        FAILED = "failed", "Failed"

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stories")
    kind = models.CharField(max_length=5, choices=Kind.choices, default=Kind.IMAGE)
    # Names in the default storage: the cleaned original, and for a video the web MP4 and poster.
    file = models.CharField(max_length=255, db_index=True)
    poster = models.CharField(max_length=255, blank=True)
    renditions = models.JSONField(default=dict, blank=True)
    storage_id = models.CharField(max_length=100, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    duration = models.FloatField(default=0)  # seconds, videos only
    alt_text = models.CharField(max_length=1000, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.READY)
    error = models.TextField(blank=True)  # a failed video: the reason for its author, then staff's detail
    created = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    is_hidden = models.BooleanField("hidden by moderators", default=False)
    view_count = models.PositiveIntegerField(default=0)  # distinct viewers, moved with F() beside StoryView

    objects = StoryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "stories"
        indexes = [
            # the tray and a person's stories: WHERE author IN (...) AND expires_at > now ORDER BY created, id
            models.Index(fields=["author", "expires_at", "created", "id"], name="story_author_expires_idx"),
            # the expiry task: WHERE expires_at <= now
            models.Index(fields=["expires_at"], name="story_expires_idx"),
        ]

    def __str__(self) -> str:
        return f"Story {self.pk} by {self.author_id}"

    def get_absolute_url(self) -> str:
        """The author's stories page (needs `author` loaded)."""
        return link("stories:person", self.author.username)

    @property
    def is_video(self) -> bool:
        return self.kind == self.Kind.VIDEO

    @property
    def failure_reason(self) -> str:
        """Why a failed video story could not be made playable, for its author (too long, a format
        ffmpeg cannot read...): the first line of `error`, the rest being staff's detail."""
        return failure_reason(self.error)

    # the values_list() that `stored_names` reads, for deleting a batch of stories' files
    FILE_FIELDS = ("file", "poster", "renditions")

    @staticmethod
    def stored_names(file: str, poster: str, renditions: dict | None) -> list[str]:
        """Every stored file of one story (the photo or video, a video's poster, renditions)."""
        return [name for name in (file, poster, *sorted((renditions or {}).values())) if name]


class StoryView(models.Model):
    """A viewer saw a story: one row per (story, viewer), recorded once."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="views")
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="story_views")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["story", "viewer"], name="storyview_story_viewer_unique")]
        indexes = [
            # the author's viewers list, newest first (keyset on created, id)
            models.Index(fields=["story", "-created", "-id"], name="storyview_story_created_idx"),
            # the tray's seen/unseen: WHERE viewer = ? AND story IN (...)
            models.Index(fields=["viewer", "story"], name="storyview_viewer_story_idx"),
        ]
