from django.conf import settings
from django.db import models


class Conversation(models.Model):
    """A thread between two people, or a group of up to MESSAGES_GROUP_MAX people."""

    is_group = models.BooleanField(default=False)
    name = models.CharField(max_length=60, blank=True)  # groups only; "" shows the members' names
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    # The newest message (denormalised so the inbox needs no per-row query); null before the first.
    last_message = models.ForeignKey(
        "social.Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # One-to-one threads are unique per pair: "<smaller id>:<larger id>"; groups have none.
    pair_key = models.CharField(max_length=41, null=True, blank=True, unique=True)

    def __str__(self) -> str:
        return f"Conversation {self.pk}"


class Participant(models.Model):
    """A person in a conversation, with their own inbox state: where it sorts (`last_activity`),
    whether it is still a message request for them, and the last message they have seen."""

    class State(models.TextChoices):
        INBOX = "inbox", "Inbox"
        REQUEST = "request", "Request"  # from someone they don't follow: accept, delete or block
        LEFT = "left", "Left"  # left a group (or deleted a request): no more messages

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversations")
    state = models.CharField(max_length=10, choices=State.choices, default=State.INBOX)
    joined = models.DateTimeField(auto_now_add=True)
    # When the conversation last had a message (copied to every participant with one UPDATE, so the
    # inbox is one index range: WHERE user = ? AND state = ? ORDER BY last_activity DESC, id DESC).
    last_activity = models.DateTimeField(auto_now_add=True)
    # The id of the newest message this person has seen ("Seen" and the unread badge); 0 = none.
    last_read_id = models.BigIntegerField(default=0)
    # Messages older than this id are not shown to them (a member added to a group sees from then on).
    visible_from_id = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "user"], name="participant_conversation_user_unique")
        ]
        indexes = [
            models.Index(fields=["user", "state", "-last_activity", "-id"], name="participant_inbox_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.conversation_id}"


class Message(models.Model):
    class Kind(models.TextChoices):
        TEXT = "text", "Text"
        PHOTO = "photo", "Photo"
        POST = "post", "Shared post"
        STORY_REPLY = "story_reply", "Story reply"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messages_sent")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.TEXT)
    text = models.TextField(max_length=2000, blank=True)
    # A photo (same upload pipeline as posts): names in the default storage.
    file = models.CharField(max_length=255, blank=True, db_index=True)
    renditions = models.JSONField(default=dict, blank=True)
    storage_id = models.CharField(max_length=100, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    # A shared post (shown as a card only to members who may see it), or the story replied to
    # (gone once it expires: the reply stays, "Story unavailable").
    post = models.ForeignKey("posts.Post", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    story = models.ForeignKey("posts.Story", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    # Deleted by its sender (for everyone): the content is cleared and its file deleted, the row
    # stays only so that a report about it keeps its target; every list leaves it out.
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # history, newest first, keyset on id: WHERE conversation = ? AND id < ? ORDER BY id DESC
            models.Index(fields=["conversation", "-id"], name="message_conversation_id_idx"),
        ]

    def __str__(self) -> str:
        return f"Message {self.pk} in {self.conversation_id}"

    def get_absolute_url(self) -> str:
        """Its conversation's page, at the newest messages (members only: everyone else gets 404)."""
        from instaclone.links import link

        return link("direct:conversation", self.conversation_id) + "#latest"

    @property
    def is_held_for_reports(self) -> bool:
        """Deleted by its sender while reported: the content stays for the moderators until the open
        reports are handled (services.message_soft_delete)."""
        return self.deleted_at is not None and bool(self.text or self.file or self.post_id or self.story_id)
