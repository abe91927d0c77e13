"""Suspension revokes the person's client-API tokens at once (issue 14): user_suspend calls
accounts.oauth.services.tokens_revoke_for_user, and a token of an inactive person is refused
even before that (instaclone.api)."""

import pytest
from django.test import Client
from oauth2_provider.models import get_access_token_model

from accounts.tests.factories import UserFactory
from instaclone.testing import api_token
from social.moderation import user_suspend

pytestmark = pytest.mark.django_db


def test_suspension_revokes_every_token(alice, bob):
    token = api_token(alice, scope="read write")
    bobs = api_token(bob, scope="read")
    moderator = UserFactory(username="mod", is_staff=True)
    user_suspend(moderator=moderator, user=alice)
    assert not get_access_token_model().objects.filter(user=alice).exists()
    client = Client()
    assert client.get("/api/v1/apps/verify_credentials", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    assert client.get("/api/v1/apps/verify_credentials", HTTP_AUTHORIZATION=f"Bearer {bobs}").status_code == 200
