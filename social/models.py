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
