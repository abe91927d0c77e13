from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.visibility import visible_authors_q, visible_profiles_q
from instaclone.links import link


def _field(prefix: str, name: str) -> str:
    return f"{prefix}__{name}" if prefix else name


def post_visible_q(viewer, prefix: str = "", *, published_only: bool = False) -> Q:
    """Posts (at `prefix`, "" for Post itself) the viewer may see: the author passes the accounts
    rule (accounts.visibility) and the post is not hidden by moderators — except that its author
    sees it (with a notice) and so do staff (privacy and blocks still apply to them; moderators
    review the rest in the admin). A post with `media_pending` (a video still being processed, or
    one that failed) and an archived post are shown to their author only. `published_only` drops hidden posts for everyone, author and
    staff included: what may be notified about or reported. Used by `Post.objects.visible_to` and
    by rows that point at a post (saves, notifications, hashtag rows)."""
    signed_in = viewer is not None and getattr(viewer, "is_authenticated", False)
    rule = visible_authors_q(viewer, _field(prefix, "author"))
    # A post whose video is still being transcoded (or failed to be) is its author's alone, as
    # Instagram publishes a video post once processing is done.
    # An archived post is its author's alone too (Instagram's Archive), for staff as for anyone.
    ready = Q(**{_field(prefix, "media_pending"): False, _field(prefix, "is_archived"): False})
    if signed_in and viewer.is_staff and not published_only:
        shown = ready
    else:
        shown = Q(**{_field(prefix, "is_hidden"): False}) & ready
    if signed_in and not published_only:
        shown |= Q(**{_field(prefix, "author"): viewer.pk})
    return rule & shown


def comment_own_visible_q(viewer, prefix: str = "") -> Q:
    """The comment's own part of `comment_visible_q`: not hidden by moderators (for anyone), by an
    author whose profile the viewer may see. Alone it is the whole rule only for comments on posts
    already read through the post part (`CommentQuerySet.on_visible_posts`)."""
    return Q(**{_field(prefix, "is_hidden"): False}) & visible_profiles_q(viewer, _field(prefix, "author"))


def comment_visible_q(viewer, prefix: str = "", *, published_only: bool = False) -> Q:
    """Comments (at `prefix`) the viewer may see: not hidden by moderators (for anyone), by an
    author whose profile the viewer may see, on a post the viewer may see. A private account's
    comment on a public post is visible, as on Instagram."""
    return comment_own_visible_q(viewer, prefix) & post_visible_q(
        viewer, _field(prefix, "post"), published_only=published_only
    )


class PostQuerySet(models.QuerySet):
    def visible_to(self, viewer, *, published_only: bool = False):
        """The posts `viewer` may see (`post_visible_q`); every page reading posts starts here."""
        return self.filter(post_visible_q(viewer, published_only=published_only))


class CommentQuerySet(models.QuerySet):
    def visible_to(self, viewer, *, published_only: bool = False):
        """The comments `viewer` may see (`comment_visible_q`)."""
        return self.filter(comment_visible_q(viewer, published_only=published_only))

    def on_visible_posts(self, viewer, post_ids):
        """The comments `viewer` may see on the posts `post_ids`, which the caller has just read
        through `Post.objects.visible_to(viewer)` (a page of cards): the post part of
        `comment_visible_q` holds for them already, so only the comment's own part is checked,
        without joining the posts and their authors again. Never pass ids that did not come from
        that read."""
        return self.filter(comment_own_visible_q(viewer), post_id__in=list(post_ids))


class Hashtag(models.Model):
    name = models.CharField(max_length=100, unique=True)  # stored lower-case, without '#'
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"#{self.name}"


class Post(models.Model):
    class Aspect(models.TextChoices):
        # The frame every slide of the post is shown in (the media is centre-cropped to it), as
        # Instagram offers at upload; "original" is the first item's own shape within the bounds.
        SQUARE = "square", "Square (1:1)"
        PORTRAIT = "portrait", "Portrait (4:5)"
        LANDSCAPE = "landscape", "Landscape (1.91:1)"
        ORIGINAL = "original", "Original"

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts")
    caption = models.TextField(max_length=2200, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    # Stored counters, changed with F() in the transaction that adds or removes the counted row.
    like_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    media_count = models.PositiveSmallIntegerField(default=0)
    has_video = models.BooleanField(default=False)
    # True while a video of the post is being transcoded (posts.tasks), and after a transcode that
    # failed: only the author sees the post (post_visible_q). Photos never hold a post back.
    media_pending = models.BooleanField(default=False)
    is_hidden = models.BooleanField("hidden by moderators", default=False)
    # Archived by its author: off the profile, the feeds and every list, seen only by the author
    # (post_visible_q) on the Archive page, and restorable. Not counted in User.post_count.
    is_archived = models.BooleanField(default=False)
    archived_at = models.DateTimeField(null=True, blank=True)
    aspect = models.CharField(max_length=10, choices=Aspect.choices, default=Aspect.ORIGINAL)
    # width / height of the frame every slide shares, within [4/5, 1.91] (ASPECT_MIN, ASPECT_MAX).
    aspect_ratio = models.FloatField(default=1.0)
    # One-time key from the new-post form: a retried or double-clicked submission finds this post
    # instead of creating another (unique per author, enforced by the database).
    idempotency_key = models.UUIDField(null=True, blank=True, editable=False)

    hashtags = models.ManyToManyField(Hashtag, related_name="posts", blank=True, through="PostHashtag")
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="mentioned_in", blank=True, through="PostMention"
    )

    objects = PostQuerySet.as_manager()

    class Meta:
        indexes = [
            # profile grid and per-author feed reads: WHERE author = ? ORDER BY created DESC, id DESC
            models.Index(fields=["author", "-created", "-id"], name="post_author_created_idx"),
            # explore / global recency
            models.Index(fields=["-created", "-id"], name="post_created_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="post_author_idempotency_key_unique",
            ),
            # the Archive page's keyset orders by archived_at (migration 0009 mended older rows)
            models.CheckConstraint(
                condition=models.Q(is_archived=True, archived_at__isnull=False)
                | models.Q(is_archived=False, archived_at__isnull=True),
                name="post_archived_iff_archived_at",
            ),
            # [ASPECT_MIN, ASPECT_MAX] of posts.services.posts, with slack for float rounding
            models.CheckConstraint(
                condition=models.Q(aspect_ratio__gte=0.7999, aspect_ratio__lte=1.9101), name="post_aspect_ratio_in_bounds"
            ),
        ]

    def __str__(self) -> str:
        return f"Post {self.pk} by {self.author_id}"

    def get_absolute_url(self) -> str:
        return link("posts:detail", self.pk)


class PostHashtag(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE)
    hashtag = models.ForeignKey(Hashtag, on_delete=models.CASCADE)
    # Copied from the post so the hashtag page reads one index: WHERE hashtag = ? ORDER BY created DESC
    created = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "hashtag"], name="post_hashtag_unique")]
        indexes = [models.Index(fields=["hashtag", "-created", "-post"], name="posthashtag_tag_created_idx")]


class PostMention(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="post_mention_unique")]


class PostMedia(models.Model):
    class Kind(models.TextChoices):
        IMAGE = "image", "Image"
        VIDEO = "video", "Video"

    class Status(models.TextChoices):
        # The original is stored at once; renditions (photos) or the web-safe MP4 and poster
        # (videos) are made by posts.tasks.post_media_process after the post is committed.
        READY = "ready", "Ready"
        PROCESSING = "processing", "Processing"
        FAILED = "failed", "Failed"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="media")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=5, choices=Kind.choices, default=Kind.IMAGE)
    # Name in the default storage; indexed for the media view's "whose file is this?" lookup.
    file = models.CharField(max_length=255, db_index=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    alt_text = models.CharField(max_length=1000, blank=True)
    # Local storage: {"320": name, "640": name, "1080": name}. ImageKit renders on the fly: {}.
    renditions = models.JSONField(default=dict, blank=True)
    # The remote storage's own id for the file (ImageKit fileId), when it needs one to delete.
    storage_id = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.READY)
    # Why processing failed (shown to staff in the admin; the author gets a plain sentence).
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["post", "position"], name="postmedia_position_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.position} of post {self.post_id}"


class Like(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="likes")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="likes")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="like_unique")]
        indexes = [
            # "liked by" list of a post, newest first (keyset on created, id)
            models.Index(fields=["post", "-created", "-id"], name="like_post_created_idx"),
            # a person's favourites (the client API's /api/v1/favourites), newest first
            models.Index(fields=["user", "-created", "-id"], name="like_user_created_idx"),
        ]


class PhotoTag(models.Model):
    """A person tagged at a spot of one photo or video of a post (x, y: fractions of its width and
    height from the top left). One tag per person per item; the tagged person may remove it."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="photo_tags")
    media = models.ForeignKey(PostMedia, on_delete=models.CASCADE, related_name="tags")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="photo_tags")
    x = models.FloatField()
    y = models.FloatField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["media", "user"], name="phototag_media_user_unique"),
            models.CheckConstraint(
                condition=Q(x__gte=0, x__lte=1, y__gte=0, y__lte=1), name="phototag_spot_in_frame"
            ),
        ]
        # the profile's "Tagged" tab: WHERE user = ? (then the posts, newest first)
        indexes = [models.Index(fields=["user", "post"], name="phototag_user_post_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} tagged in media {self.media_id}"


class Save(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saves")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="saves")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="save_unique")]
        # the Saved page, newest first
        indexes = [models.Index(fields=["user", "-created", "-id"], name="save_user_created_idx")]


class Collection(models.Model):
    """A named group of the owner's saved posts (Instagram's collections). Saving into a collection
    also saves the post; unsaving removes it from every collection."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="collections")
    name = models.CharField(max_length=60)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    item_count = models.PositiveIntegerField(default=0)  # moved with F() beside the item rows

    class Meta:
        constraints = [
            models.UniqueConstraint(models.functions.Lower("name"), "owner", name="collection_owner_name_unique")
        ]
        # the Saved page's list of collections, most recently changed first
        indexes = [models.Index(fields=["owner", "-updated", "-id"], name="collection_owner_updated_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.owner_id})"


class CollectionItem(models.Model):
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="items")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["collection", "post"], name="collectionitem_unique")]
        # a collection's page and its cover, newest first (keyset on created, id)
        indexes = [models.Index(fields=["collection", "-created", "-id"], name="collectionitem_created_idx")]


class Comment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments")
    body = models.TextField(max_length=2200)
    created = models.DateTimeField(auto_now_add=True)
    is_hidden = models.BooleanField("hidden by moderators", default=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        # a post's comments oldest first, "load more" by keyset on (created, id)
        indexes = [models.Index(fields=["post", "created", "id"], name="comment_post_created_idx")]

    def __str__(self) -> str:
        return f"Comment {self.pk} on post {self.post_id}"


class MediaDraft(models.Model):
    """A photo or video uploaded ahead of its post (the client API: Mastodon clients upload media
    first, then post with their ids). Validated by the upload pipeline at upload time and stored
    cleaned (metadata stripped) under `posts/drafts/`, which is served only by signed URL
    (posts.media_access); `post_create_from_drafts` turns the owner's drafts into a post and
    deletes them. Drafts not used within MEDIA_DRAFT_MAX_AGE are deleted with their files by the
    media sweep (`media_drafts_expire`)."""

    FOLDER = "posts/drafts"  # where their files are stored (private: posts.media_access)

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="media_drafts")
    kind = models.CharField(max_length=5, choices=PostMedia.Kind.choices, default=PostMedia.Kind.IMAGE)
    file = models.CharField(max_length=255)  # name in the default storage
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    alt_text = models.CharField(max_length=1000, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        # the sweep: WHERE created < ? (expired drafts of everyone)
        indexes = [models.Index(fields=["created"], name="mediadraft_created_idx")]

    def __str__(self) -> str:
        return f"{self.kind} draft {self.pk} of {self.owner_id}"


class ImportJob(models.Model):
    """One upload of an archive to import posts from (Settings → Import: Instagram's "Download your
    information" ZIP, or an Instaclone export), worked through by `posts.tasks.import_run` in runs
    of a few minutes each. Progress (`done` + `skipped` + `failed` of `total`) is updated per item;
    `errors` lists [{"item": ..., "reason": ...}] for the person. The uploaded ZIP (`file`, under
    FOLDER: private, posts.media_access) is deleted when the job finishes."""

    FOLDER = "posts/imports"  # where the uploaded ZIPs are kept while their job runs (private)

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to start"
        RUNNING = "running", "Importing"
        DONE = "done", "Finished"
        CANCELLED = "cancelled", "Cancelled"
        FAILED = "failed", "Failed"

    class Source(models.TextChoices):
        INSTAGRAM = "instagram", "Instagram"
        INSTACLONE = "instaclone", "Instaclone"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.INSTAGRAM)
    file = models.CharField(max_length=255, blank=True)  # the uploaded ZIP's name in storage; "" once deleted
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    total = models.PositiveIntegerField(default=0)  # posts found in the archive
    position = models.PositiveIntegerField(default=0)  # the next post to work on (oldest first)
    done = models.PositiveIntegerField(default=0)  # imported by this job
    skipped = models.PositiveIntegerField(default=0)  # imported before (a re-run of the same archive)
    failed = models.PositiveIntegerField(default=0)
    pixels = models.PositiveBigIntegerField(default=0)  # of the photos imported so far (IMPORT_MAX_TOTAL_PIXELS)
    errors = models.JSONField(default=list, blank=True)  # [{"item": str, "reason": str}]
    error = models.TextField(blank=True)  # why the whole job failed (an archive that cannot be read)
    cancel_requested = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # the import page: the owner's latest jobs
        indexes = [models.Index(fields=["owner", "-created", "-id"], name="importjob_owner_created_idx")]

    def __str__(self) -> str:
        return f"{self.source} import {self.pk} of {self.owner_id} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.CANCELLED, self.Status.FAILED)

    @property
    def processed(self) -> int:
        return self.done + self.skipped + self.failed

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.processed * 100 // self.total)


class ImportedItem(models.Model):
    """A post of an archive already imported for its owner: a re-run (the same ZIP again, or a later
    export holding the same posts) skips it. `source_key` is a digest of what identifies the post in
    its archive (Instagram: its first media's URI and its timestamp)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    source_key = models.CharField(max_length=64)
    job = models.ForeignKey(ImportJob, on_delete=models.SET_NULL, null=True, blank=True, related_name="items")
    post = models.ForeignKey(Post, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "source_key"], name="importeditem_owner_key_unique")]

    def __str__(self) -> str:
        return f"imported {self.source_key[:12]} of {self.owner_id}"


# Stories (issue 16) live in their own sub-package; imported here so the app registry finds them.
from posts.stories.models import Story, StoryView  # noqa: E402, F401
