"""Receivers for the domain events that posts and accounts send from inside their services'
transactions (posts/signals.py, accounts/signals.py): the feed rows, notifications and unread
badges that must change with a post, a like, a comment or the follow graph, written in the
sender's transaction, or (the feed's rows) enqueued as social.tasks when it commits. Connected in
SocialConfig.ready()."""

from __future__ import annotations

from instaclone.tasks import enqueue_on_commit
from social import purge, services, tasks
from social.models import Notification


def on_post_created(sender, post, mentioned=(), **kwargs):
    # the author's own row now; the followers' in tasks, once the post row is committed
    plan = services.feed_post_created(post=post)
    if plan.fan_out:
        enqueue_on_commit(tasks.feed_fan_out, post.pk)
    if plan.push_back:
        enqueue_on_commit(tasks.feed_push_back, post.author_id)
    for user in mentioned or ():
        services.notification_create(
            recipient=user, actor=post.author_id, kind=Notification.Kind.MENTION, post=post
        )


def on_post_mentions_added(sender, post, mentioned=(), **kwargs):
    for user in mentioned or ():
        services.notification_create(
            recipient=user, actor=post.author_id, kind=Notification.Kind.MENTION, post=post
        )


def on_post_liked(sender, like_user_id, post_id, author_id, **kwargs):
    services.notification_like_create(liker_id=like_user_id, post_id=post_id, author_id=author_id)


def on_post_unliked(sender, like_user_id, post_id, author_id, **kwargs):
    services.notification_like_delete(liker_id=like_user_id, post_id=post_id, author_id=author_id)


def on_comment_created(sender, comment, mentioned=(), **kwargs):
    post = comment.post
    services.notification_create(
        recipient=post.author_id,
        actor=comment.author_id,
        kind=Notification.Kind.COMMENT,
        post=post,
        comment=comment,
    )
    for user in mentioned or ():
        if getattr(user, "pk", user) == post.author_id:
            continue  # the comment notification already tells them
        services.notification_create(
            recipient=user,
            actor=comment.author_id,
            kind=Notification.Kind.MENTION,
            post=post,
            comment=comment,
        )


def on_photo_tag_added(sender, tag, first_in_post, **kwargs):
    # one "tagged you in a post" a person and post, however many of its photos tag them
    if first_in_post:
        services.notification_create(
            recipient=tag.user_id, actor=tag.post.author_id, kind=Notification.Kind.PHOTO_TAG, post=tag.post
        )


def on_photo_tag_removed(sender, post_id, user_id, author_id, last_in_post, **kwargs):
    if not last_in_post:
        return
    deleted, _ = Notification.objects.filter(
        recipient_id=user_id, actor_id=author_id, post_id=post_id, kind=Notification.Kind.PHOTO_TAG
    ).delete()
    if deleted:
        services.unread_changed(user_id)


# --- the follow graph (accounts/services/graph.py) -----------------------------------------


def on_follow_added(sender, follower_id, followee_id, **kwargs):
    enqueue_on_commit(tasks.feed_follow_backfill, follower_id, followee_id)


def on_follow_removed(sender, follower_id, followee_id, **kwargs):
    # the rows go in a task; until then the read path's visibility rule hides what must be hidden
    enqueue_on_commit(tasks.feed_follow_remove, follower_id, followee_id)
    Notification.objects.filter(
        recipient_id=followee_id, actor_id=follower_id, kind=Notification.Kind.FOLLOW
    ).delete()
    services.unread_changed(followee_id)


def on_followed(sender, follower, followee, **kwargs):
    services.notification_create(recipient=followee, actor=follower, kind=Notification.Kind.FOLLOW)


def on_follow_requested(sender, requester, target, **kwargs):
    services.notification_create(recipient=target, actor=requester, kind=Notification.Kind.FOLLOW_REQUEST)


def on_follow_request_removed(sender, requester_id, target_id, **kwargs):
    Notification.objects.filter(
        recipient_id=target_id, actor_id=requester_id, kind=Notification.Kind.FOLLOW_REQUEST
    ).delete()
    services.unread_changed(target_id)


def on_follow_request_accepted(sender, target, requester_id, **kwargs):
    # the owner's "requested to follow you" becomes "started following you"
    Notification.objects.filter(
        recipient_id=target.pk, actor_id=requester_id, kind=Notification.Kind.FOLLOW_REQUEST
    ).update(kind=Notification.Kind.FOLLOW)
    Notification.objects.create(
        recipient_id=requester_id, actor=target, kind=Notification.Kind.FOLLOW_ACCEPTED
    )
    services.unread_changed(requester_id)


def on_block_created(sender, blocker_id, blocked_id, **kwargs):
    """Feed rows and notifications between the two go, both ways (the follows and requests, and
    with them their own notifications, went just before)."""
    for a, b in ((blocker_id, blocked_id), (blocked_id, blocker_id)):
        enqueue_on_commit(tasks.feed_follow_remove, a, b)
        Notification.objects.filter(recipient_id=a, actor_id=b).delete()
    services.unread_changed(blocker_id, blocked_id)


def on_account_purge_started(sender, user_id, **kwargs):
    """Before anything of a purged account goes: reports keep their rows without its data, and the
    notifications about its posts and comments go with their recipients' badges forgotten."""
    purge.account_reports_detach(user_id=user_id)
    purge.account_notifications_detach(user_id=user_id)


def on_account_deactivated(sender, user_id, **kwargs):
    """The person deleted their account (or a superuser purges it): their export stops."""
    purge.account_exports_stop(user_id=user_id)


def on_account_purging(sender, user_id, batch=500, **kwargs):
    """The account is being purged: its feed rows, notifications and data exports."""
    purge.account_social_purge(user_id=user_id, batch=batch)


def on_user_logged_in(sender, request, user, **kwargs):
    """Signing in counts as activity (social.middleware covers the days after)."""
    activity_record(user)


def activity_record(user) -> None:
    """Today's activity stamp; a person back after FEED_ACTIVE_DAYS gets their feed rebuilt."""
    if services.feed_activity_record(user=user):
        enqueue_on_commit(tasks.feed_rebuild, user.pk)


def on_comment_deleting(sender, comment_id, by_id, **kwargs):
    """A comment is about to go: the reports on it stay, on its author."""
    from .moderation import comment_reports_keep

    comment_reports_keep(comment_id=comment_id, by_id=by_id)


def on_stories_expiry_hold(sender, story_ids, **kwargs):
    """Which expired stories must stay for now: those with an open report (for the moderators)."""
    from .moderation import story_reports_hold

    return story_reports_hold(story_ids=story_ids)


def on_stories_deleting(sender, story_ids, reason, **kwargs):
    """Stories are about to go (expired, or deleted by their author): their reports stay, on their authors."""
    from .moderation import story_reports_keep

    story_reports_keep(story_ids=story_ids, reason=reason)


def on_post_deleting(sender, post_id, **kwargs):
    """A post is about to go: the reports on it and its comments stay, on their authors."""
    from .moderation import post_reports_keep

    post_reports_keep(post_id=post_id)


def connect() -> None:
    from django.contrib.auth.signals import user_logged_in

    from accounts import signals as account_signals
    from posts import signals as post_signals

    post_signals.post_created.connect(on_post_created, dispatch_uid="social.post_created")
    post_signals.post_mentions_added.connect(
        on_post_mentions_added, dispatch_uid="social.post_mentions_added"
    )
    post_signals.post_liked.connect(on_post_liked, dispatch_uid="social.post_liked")
    post_signals.post_unliked.connect(on_post_unliked, dispatch_uid="social.post_unliked")
    post_signals.comment_created.connect(on_comment_created, dispatch_uid="social.comment_created")
    post_signals.photo_tag_added.connect(on_photo_tag_added, dispatch_uid="social.photo_tag_added")
    post_signals.photo_tag_removed.connect(on_photo_tag_removed, dispatch_uid="social.photo_tag_removed")
    post_signals.post_deleting.connect(on_post_deleting, dispatch_uid="social.post_deleting")
    post_signals.comment_deleting.connect(on_comment_deleting, dispatch_uid="social.comment_deleting")
    post_signals.stories_expiry_hold.connect(on_stories_expiry_hold, dispatch_uid="social.stories_expiry_hold")
    post_signals.stories_deleting.connect(on_stories_deleting, dispatch_uid="social.stories_deleting")
    account_signals.follow_added.connect(on_follow_added, dispatch_uid="social.follow_added")
    account_signals.follow_removed.connect(on_follow_removed, dispatch_uid="social.follow_removed")
    account_signals.followed.connect(on_followed, dispatch_uid="social.followed")
    account_signals.follow_requested.connect(on_follow_requested, dispatch_uid="social.follow_requested")
    account_signals.follow_request_removed.connect(
        on_follow_request_removed, dispatch_uid="social.follow_request_removed"
    )
    account_signals.follow_request_accepted.connect(
        on_follow_request_accepted, dispatch_uid="social.follow_request_accepted"
    )
    account_signals.block_created.connect(on_block_created, dispatch_uid="social.block_created")
    account_signals.account_deactivated.connect(on_account_deactivated, dispatch_uid="social.account_deactivated")
    account_signals.account_purge_started.connect(on_account_purge_started, dispatch_uid="social.account_purge_started")
    account_signals.account_purging.connect(on_account_purging, dispatch_uid="social.account_purging")
    user_logged_in.connect(on_user_logged_in, dispatch_uid="social.user_logged_in")
