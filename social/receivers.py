"""Receivers for the domain events that posts and accounts send from inside their services'
transactions (posts/signals.py, accounts/signals.py). Connected in SocialConfig.ready()."""

from __future__ import annotations

from social import services
from social.models import Notification


def on_post_created(sender, post, mentioned=(), **kwargs):
    services.feed_fan_out(post=post)
    for user in mentioned or ():
        services.notification_create(recipient=user, actor=post.author_id, kind=Notification.Kind.MENTION, post=post)


def on_post_mentions_added(sender, post, mentioned=(), **kwargs):
    for user in mentioned or ():
        services.notification_create(recipient=user, actor=post.author_id, kind=Notification.Kind.MENTION, post=post)


def on_post_liked(sender, like, **kwargs):
    post = like.post
    services.notification_create(recipient=post.author_id, actor=like.user_id, kind=Notification.Kind.LIKE, post=post)


def on_post_unliked(sender, like_user_id, post_id, **kwargs):
    recipients = list(
        Notification.objects.filter(actor_id=like_user_id, post_id=post_id, kind=Notification.Kind.LIKE).values_list(
            "recipient_id", flat=True
        )
    )
    Notification.objects.filter(actor_id=like_user_id, post_id=post_id, kind=Notification.Kind.LIKE).delete()
    services.unread_changed(*recipients)


def on_comment_created(sender, comment, mentioned=(), **kwargs):
    post = comment.post
    services.notification_create(
        recipient=post.author_id, actor=comment.author_id, kind=Notification.Kind.COMMENT, post=post, comment=comment
    )
    for user in mentioned or ():
        if getattr(user, "pk", user) == post.author_id:
            continue  # the comment notification already tells them
        services.notification_create(
            recipient=user, actor=comment.author_id, kind=Notification.Kind.MENTION, post=post, comment=comment
        )


def on_account_made_public(sender, user, **kwargs):
    services.follow_requests_accept_all(user=user)


def connect() -> None:
    from accounts import signals as account_signals
    from posts import signals as post_signals

    post_signals.post_created.connect(on_post_created, dispatch_uid="social.post_created")
    post_signals.post_mentions_added.connect(on_post_mentions_added, dispatch_uid="social.post_mentions_added")
    post_signals.post_liked.connect(on_post_liked, dispatch_uid="social.post_liked")
    post_signals.post_unliked.connect(on_post_unliked, dispatch_uid="social.post_unliked")
    post_signals.comment_created.connect(on_comment_created, dispatch_uid="social.comment_created")
    account_signals.account_made_public.connect(on_account_made_public, dispatch_uid="social.account_made_public")
