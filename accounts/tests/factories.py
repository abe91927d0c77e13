"""factory_boy factories for accounts: people who can sign in.

`UserFactory(username="alice")` makes a user with a usable password (`DEFAULT_PASSWORD`) and a
verified primary email address, as after sign-up; `UserFactory(private=True)` makes a private
account; `UserFactory(verified=False)` leaves the email address unverified.
"""

from __future__ import annotations

import factory
from allauth.account.models import EmailAddress

from accounts.models import User

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
