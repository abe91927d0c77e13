from django.conf import settings
from django.db import models


class Notification(models.Model):
    """One thing that happened to the recipient. Rows cascade away with the content they point at;
    hidden content and blocked actors are filtered on read through accounts.visibility."""

    class Kind(models.TextChoices):
        LIKE = "like", "liked your post"
        COMMENT = "comment", "commented on your post"
        MENTION = "mention", "mentioned you"
        FOLLOW = "follow", "started following you"
        FOLLOW_REQUEST = "follow_request", "requested to follow you"
        FOLLOW_ACCEPTED = "follow_accepted", "accepted your follow request"
        PHOTO_TAG = "photo_tag", "tagged you in a post"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    post = models.ForeignKey("posts.Post", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    comment = models.ForeignKey("posts.Comment", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["recipient", "-created", "-id"], name="notif_recipient_created_idx"),
            models.Index(fields=["recipient", "read_at"], name="notif_recipient_unread_idx"),
        ]


class Report(models.Model):
    """A person's report of a post, a comment or a profile, worked in the Django admin."""

    class Reason(models.TextChoices):
        SPAM = "spam", "Spam"
        NUDITY = "nudity", "Nudity or sexual activity"
        HARASSMENT = "harassment", "Bullying or harassment"
        VIOLENCE = "violence", "Violence or dangerous organisations"
        IP = "ip", "Intellectual property violation"
        OTHER = "other", "Something else"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACTIONED = "actioned", "Actioned"
        DISMISSED = "dismissed", "Dismissed"

    # Null once the reporter's account is purged (issue 15): the report stays in the audit trail.
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="reports_made"
    )
    # Exactly one target, or none once its account is purged (`target_deleted`).
    post = models.ForeignKey("posts.Post", on_delete=models.CASCADE, null=True, blank=True, related_name="reports")
    comment = models.ForeignKey("posts.Comment", on_delete=models.CASCADE, null=True, blank=True, related_name="reports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="reports_against"
    )
    # Issue 16: a story (kept past its expiry while a report on it is open) or a direct message.
    story = models.ForeignKey("posts.Story", on_delete=models.CASCADE, null=True, blank=True, related_name="reports")
    message = models.ForeignKey("social.Message", on_delete=models.CASCADE, null=True, blank=True, related_name="reports")
    # What the reporter could see around a reported message, copied when reporting:
    # [{"id", "sender", "text", "kind", "created"}] (the thread may change or be deleted later).
    context = models.JSONField(default=list, blank=True)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    text = models.TextField(max_length=1000, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created = models.DateTimeField(auto_now_add=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="reports_handled"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)
    # The target's account was purged (issue 15, social/purge.py): the report stays in the audit
    # trail with no target and none of that person's data.
    target_deleted = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(post__isnull=False, comment__isnull=True, user__isnull=True, story__isnull=True, message__isnull=True, target_deleted=False)
                    | models.Q(post__isnull=True, comment__isnull=False, user__isnull=True, story__isnull=True, message__isnull=True, target_deleted=False)
                    | models.Q(post__isnull=True, comment__isnull=True, user__isnull=False, story__isnull=True, message__isnull=True, target_deleted=False)
                    | models.Q(post__isnull=True, comment__isnull=True, user__isnull=True, story__isnull=False, message__isnull=True, target_deleted=False)
                    | models.Q(post__isnull=True, comment__isnull=True, user__isnull=True, story__isnull=True, message__isnull=False, target_deleted=False)
                    | models.Q(post__isnull=True, comment__isnull=True, user__isnull=True, story__isnull=True, message__isnull=True, target_deleted=True)
                ),
                name="report_exactly_one_target",
            ),
            # one open report per reporter and target: repeated reports collapse into it
            models.UniqueConstraint(
                fields=["reporter", "post"], condition=models.Q(status="open", post__isnull=False), name="report_open_post_unique"
            ),
            models.UniqueConstraint(
                fields=["reporter", "comment"], condition=models.Q(status="open", comment__isnull=False), name="report_open_comment_unique"
            ),
            models.UniqueConstraint(
                fields=["reporter", "user"], condition=models.Q(status="open", user__isnull=False), name="report_open_user_unique"
            ),
            models.UniqueConstraint(
                fields=["reporter", "story"], condition=models.Q(status="open", story__isnull=False), name="report_open_story_unique"
            ),
            models.UniqueConstraint(
                fields=["reporter", "message"], condition=models.Q(status="open", message__isnull=False), name="report_open_message_unique"
            ),
        ]
        indexes = [models.Index(fields=["status", "-created"], name="report_status_created_idx")]

    def __str__(self) -> str:
        if self.target_deleted:
            target = "deleted account"
        elif self.post_id:
            target = f"post {self.post_id}"
        elif self.comment_id:
            target = f"comment {self.comment_id}"
        elif self.story_id:
            target = f"story {self.story_id}"
        elif self.message_id:
            target = f"message {self.message_id}"
        else:
            target = f"user {self.user_id}"
        return f"Report {self.pk}: {self.get_reason_display()} ({target})"


class FeedItem(models.Model):
    """Fan-out-on-write home feed: one row per (owner, post) for the owner's own posts and the posts
    of the people the owner follows. The author's own row is written with the post; followers'
    rows by social.tasks (fan-out in batches, follow backfill) and removed by tasks on unfollow,
    follower removal and block; deleted posts cascade. Authors in pull mode (FeedPullAuthor), and
    every followee of an owner who is away or back and not yet rebuilt, are merged in at read time. It is only an index:
    every read still applies accounts.visibility and the post's hidden flag. See docs/feed.md."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey("posts.Post", on_delete=models.CASCADE, related_name="feed_items")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created = models.DateTimeField()  # the post's, copied so one index serves the page

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "post"], name="feeditem_owner_post_unique")]
        indexes = [
            models.Index(fields=["owner", "-created", "-post"], name="feeditem_owner_created_idx"),
            models.Index(fields=["owner", "author"], name="feeditem_owner_author_idx"),
        ]


class FeedPullAuthor(models.Model):
    """An author whose posts are not fanned out (too many followers, FEED_FANOUT_MAX_FOLLOWERS):
    their followers' feed pages read the author's posts at read time. Sticky, with hysteresis:
    the row goes only after the author drops below FEED_FANOUT_MIN_FOLLOWERS and the posts made
    in pull mode were copied to every follower (`leaving` while that runs; reads still merge)."""

    author = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+")
    since = models.DateTimeField()  # the first post not fanned out is at or after this
    leaving = models.BooleanField(default=False)


class FeedStale(models.Model):
    """A rebuild asked for someone back after more than FEED_ACTIVE_DAYS away (fan-out skipped
    them, their rows lack posts), so that it is enqueued once (`since`: when asked; asked again
    after social.services.FEED_REBUILD_RETRY). The rebuild task stamps them active and deletes
    this row with the new rows; until then they still read as away, and their feed page merges
    every followee's posts at read time."""

    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+")
    since = models.DateTimeField(auto_now_add=True)


class DataExport(models.Model):
    """A person's "Download your information" archive (issue 15): built by a task, downloadable by
    its owner (signed in) until `expires_at`, when the file is deleted."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to start"
        RUNNING = "running", "Being prepared"
        READY = "ready", "Ready to download"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    file = models.CharField(max_length=255, blank=True)  # the ZIP's name in storage
    size = models.PositiveBigIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-created", "-id"], name="data_export_user_created_idx")]


# Direct messages (issue 16) live in their own sub-package; imported here so the app registry finds them.
from social.messages.models import Conversation, Message, Participant  # noqa: E402, F401
