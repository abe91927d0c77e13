import pytest
from django.db import IntegrityError, transaction

from accounts.models import User
from accounts.selectors import identity_taken


@pytest.mark.django_db
def test_username_unique_ignoring_case_in_the_database(alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="ALICE", email="other@example.com")  # raw on purpose: the constraint, not sign-up


@pytest.mark.django_db
def test_email_unique_ignoring_case_in_the_database(alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="other", email="ALICE@example.com")  # raw on purpose: the constraint, not sign-up


@pytest.mark.django_db
def test_identity_taken_answers_both_in_one_query(alice, bob, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert identity_taken(username="ALICE", email="BOB@example.com") == {"username", "email"}
    with django_assert_num_queries(1):
        assert identity_taken(username="nobody", email="nobody@example.com") == set()
    assert identity_taken(username="Alice") == {"username"}


@pytest.mark.django_db
def test_profile_of_unknown_or_inactive_user_is_404(client, alice):
    assert client.get("/nobody/").status_code == 404
    alice.is_active = False
    alice.save()
    assert client.get("/alice/").status_code == 404


@pytest.mark.django_db
def test_profile_url_ignores_case(client, alice):
    assert client.get("/Alice/").status_code == 200


@pytest.mark.django_db
def test_moderators_group_exists():
    from django.contrib.auth.models import Group

    assert Group.objects.filter(name="Moderators").exists()


def test_argon2id_parameters_follow_owasp():
    from accounts.hashers import OwaspArgon2PasswordHasher

    hasher = OwaspArgon2PasswordHasher()
    encoded = hasher.encode("secret", hasher.salt())
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert hasher.verify("secret", encoded)
    assert not hasher.verify("Secret", encoded)
    assert not hasher.must_update(encoded)
