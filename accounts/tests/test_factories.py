"""The factories make what the rest of the suite assumes they make."""

import pytest
from allauth.account.models import EmailAddress

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_it_makes_a_user_who_can_sign_in_with_a_verified_primary_email(client):
    user = UserFactory(username="zoe")
    assert client.login(username="zoe", password=DEFAULT_PASSWORD)
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.primary, address.verified) == ("zoe@example.com", True, True)
    assert not user.is_private


def test_it_makes_private_and_unverified_users_on_request():
    user = UserFactory(private=True, verified=False)
    assert user.is_private
    assert not EmailAddress.objects.get(user=user).verified
