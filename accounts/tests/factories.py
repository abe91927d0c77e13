"""factory_boy factories for accounts: people who can sign in.

`UserFactory(username="alice")` makes a user with a usable password (`DEFAULT_PASSWORD`) and a
verified primary email address, as after sign-up; `UserFactory(private=True)` makes a private
account; `UserFactory(verified=False)` leaves the email address unverified.
"""

from __future__ import annotations

import factory
from allauth.account.models import EmailAddress

from accounts.models import Block, Follow, FollowRequest, User

DEFAULT_PASSWORD = "correct-horse-battery-staple"  # noqa: S105 - test personas


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    class Params:
        private = factory.Trait(is_private=True)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = DEFAULT_PASSWORD

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # create_user hashes the password and normalises the email, as sign-up does.
        return model_class.objects.create_user(*args, **kwargs)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy hook
        """The primary email address, verified unless `verified=False`."""
        if create:
            verified = True if extracted is None else bool(extracted)
            EmailAddress.objects.create(user=obj, email=obj.email, primary=True, verified=verified)


def fresh(user):
    """The user as stored now (counters moved by services with F())."""
    user.refresh_from_db()
    return user


def make_private(user, private: bool = True):
    """Flip the privacy flag without overwriting stored counters from a stale instance."""
    User.objects.filter(pk=user.pk).update(is_private=private)
    user.is_private = private
    return user


class FollowFactory(factory.Factory):
    """`FollowFactory(follower=a, followee=b)`: a follows b through the graph service (counters and
    feed backfill as in life); a private followee's request is accepted at once unless `accept=False`,
    which leaves the pending request. Returns the Follow (or the FollowRequest when not accepted)."""

    class Meta:
        model = Follow

    follower = factory.SubFactory(UserFactory)
    followee = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class, follower, followee, accept=True):
        from accounts.follow_state import FollowState
        from accounts.services import graph

        if graph.follow_create(follower=follower, followee=followee) == FollowState.REQUESTED:
            if not accept:
                return FollowRequest.objects.get(requester=follower, target=followee)
            graph.follow_request_accept(target=followee, requester=follower)
        return model_class.objects.get(follower=follower, followee=followee)


class BlockFactory(factory.Factory):
    """`BlockFactory(blocker=a, blocked=b)`: a blocks b through the graph service, so follows and
    requests both ways go (and social drops feed rows and notifications), as in life."""

    class Meta:
        model = Block

    blocker = factory.SubFactory(UserFactory)
    blocked = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class, blocker, blocked):
        from accounts.services import graph

        graph.block_create(blocker=blocker, blocked=blocked)
        return model_class.objects.get(blocker=blocker, blocked=blocked)
