"""factory_boy factories for social: notifications and reports (people, follows and blocks come from
accounts.tests.factories, posts from posts.tests.factories)."""

from __future__ import annotations

import factory

from accounts.tests.factories import FollowFactory, UserFactory, fresh, make_private  # noqa: F401 - re-exported
from social.models import Notification, Report


def follow(a, b):
    """a follows b (accepting the request at once if b is private): FollowFactory, positionally."""
    return FollowFactory(follower=a, followee=b)


class NotificationFactory(factory.django.DjangoModelFactory):
    """A notification row as the receivers write it (`kind`, optional `post`/`comment`). Rows only:
    tests that need the event that makes one go through the service that sends it."""

    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    actor = factory.SubFactory(UserFactory)
    kind = Notification.Kind.FOLLOW


class ReportFactory(factory.Factory):
    """`ReportFactory(reporter=a, target=post_or_comment_or_user)` files a report through
    `report_create` (validation, one open report per reporter and target)."""

    class Meta:
        model = Report

    reporter = factory.SubFactory(UserFactory)
    target = None
    reason = Report.Reason.SPAM
    text = ""

    @classmethod
    def _create(cls, model_class, reporter, target, reason, text):
        from social.moderation import report_create

        return report_create(reporter=reporter, target=target, reason=reason, text=text).report
