from django.conf import settings
from django.db import models


class Story(models.Model):
    """One photo or short video (<= STORY_VIDEO_MAX_SECONDS) that lives until `expires_at`
    (created + 24 h). The hourly expiry task deletes the row and its files. Read through
    `Story.objects.visible_to(viewer)` (posts.stories.selectors), which applies the account
    visibility rule (private: followers only; blocks both ways; suspended authors) plus the
    moderators' hidden flag and the expiry."""

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
    error = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    is_hidden = models.BooleanField("hidden by moderators", default=False)
    view_count = models.PositiveIntegerField(default=0)  # distinct viewers, moved with F() beside StoryView

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
