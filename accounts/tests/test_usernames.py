"""Look-alike usernames (issue 9, item 1): usernames are ASCII only, and every lookup by username
compares Lower(username) with the lower-cased input, exactly like the unique constraint, so a row
such as `alıce` (dotless ı, which PostgreSQL upper-cases to ALICE) can never shadow `alice`."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from accounts.models import Block, Follow, User
from instaclone.testing import DEFAULT_PASSWORD, make_user

SIGNUP = "/accounts/signup/"
LOOK_ALIKES = [
    pytest.param("al\u0131ce", id="dotless-i"),
    pytest.param("\u017fam", id="long-s"),
    pytest.param("\u212aate", id="kelvin-sign"),
    pytest.param("\u0130van", id="dotted-capital-I"),
]


def _lookalike(username: str = "al\u0131ce", email: str = "mallory@example.com") -> User:
    """A row the validator would refuse, inserted as an old release (or a raw SQL import) might have."""
    [user] = User.objects.bulk_create([User(username=username, email=email, password="!")])
    return user


# --- both databases ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("username", LOOK_ALIKES)
def test_signup_refuses_look_alike_letters_with_a_clear_message(client, username):
    response = client.post(
        SIGNUP, {"email": "mallory@example.com", "username": username, "password1": "a-long-pass-phrase-9"}
    )
    assert response.status_code == 200
    assert "English letters" in response.content.decode()
    assert User.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("username", LOOK_ALIKES)
def test_admin_never_stores_look_alike_letters(admin_client, username):
    """Django's admin form first applies NFKC (`ſam` -> `sam`, Kelvin sign -> K); what is left
    that is not ASCII is refused with the same message."""
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {"username": username, "password1": "a-long-pass-phrase-9", "password2": "a-long-pass-phrase-9",
         "usable_password": "true"},
    )
    stored = list(User.objects.exclude(is_superuser=True).values_list("username", flat=True))
    assert all(name.isascii() for name in stored)
    if not stored:
        assert response.status_code == 200
        assert "English letters" in response.content.decode()


@pytest.mark.django_db
def test_non_ascii_username_is_a_404_without_a_query(client, django_assert_num_queries):
    from django.http import Http404

    from accounts.selectors import user_get_by_username

    with django_assert_num_queries(0), pytest.raises(Http404):
        user_get_by_username("al\u0131ce")


@pytest.mark.django_db
def test_natural_key_lookup_ignores_case_like_the_constraint(alice):
    assert User.objects.get_by_natural_key("ALICE") == alice
    with pytest.raises(User.DoesNotExist):
        User.objects.get_by_natural_key("al\u0131ce")


def test_collision_finder_groups_look_alikes_with_their_target():
    from accounts.usernames import username_collisions

    rows = [(1, "alice"), (2, "al\u0131ce"), (3, "bob"), (4, "\u017fam"), (5, "sam"), (6, "\u212aate")]
    report = username_collisions(rows)
    assert [(r.pk, r.username) for r in report.non_ascii] == [(2, "al\u0131ce"), (4, "\u017fam"), (6, "\u212aate")]
    assert sorted(sorted(pk for pk, _ in group) for group in report.colliding) == [[1, 2], [4, 5]]


@pytest.mark.django_db
def test_username_collisions_command_lists_and_then_fixes(alice):
    mallory = _lookalike()
    out = io.StringIO()
    call_command("username_collisions", stdout=out)
    listing = out.getvalue()
    assert f"{mallory.pk}" in listing and "al\u0131ce" in listing and "alice" in listing
    mallory.refresh_from_db()
    assert mallory.username == "al\u0131ce"  # listing changes nothing

    out = io.StringIO()
    call_command("username_collisions", "--fix", stdout=out)
    mallory.refresh_from_db()
    alice.refresh_from_db()
    assert mallory.username == f"user{mallory.pk}"
    assert alice.username == "alice"
    assert f"user{mallory.pk}" in out.getvalue()

    out = io.StringIO()
    call_command("username_collisions", stdout=out)
    assert "No look-alike" in out.getvalue()


@pytest.mark.django_db
def test_fix_picks_a_free_name_when_the_obvious_one_is_taken():
    mallory = _lookalike()
    make_user(f"user{mallory.pk}")
    call_command("username_collisions", "--fix", stdout=io.StringIO())
    mallory.refresh_from_db()
    assert mallory.username == f"user{mallory.pk}_1"


# --- PostgreSQL: UPPER('alıce') = 'ALICE', so iexact used to find two rows -----------------------

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="only PostgreSQL upper-cases ı to I")


@pytest.fixture
def mallory(alice):
    """alice, then a look-alike `alıce` inserted behind the validator's back."""
    return _lookalike()


@pytest.mark.django_db
@pytest.mark.postgres
@on_postgres
@pytest.mark.parametrize("path", ["/alice/", "/ALICE/", "/alice/followers/", "/alice/following/"])
def test_profile_pages_of_alice_survive_a_look_alike(client, alice, mallory, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.context["owner"] == alice


@pytest.mark.django_db
@pytest.mark.postgres
@on_postgres
def test_follow_and_block_reach_the_real_alice(client, alice, mallory, bob, charlie):
    client.force_login(bob)
    assert client.post("/social/follow/alice/").status_code == 302
    assert Follow.objects.filter(follower=bob, followee=alice).exists()
    client.force_login(charlie)
    assert client.post("/social/block/alice/").status_code == 302
    assert Block.objects.filter(blocker=charlie, blocked=alice).exists()
    assert not Follow.objects.filter(followee=mallory).exists()
    assert not Block.objects.filter(blocked=mallory).exists()


@pytest.mark.django_db
@pytest.mark.postgres
@on_postgres
@pytest.mark.parametrize("login", ["alice", "ALICE"])
def test_password_login_by_username_signs_in_the_real_alice(client, alice, mallory, login):
    response = client.post("/accounts/login/", {"login": login, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


@pytest.mark.django_db
@pytest.mark.postgres
@on_postgres
def test_allauths_own_username_lookup_finds_only_alice(alice, mallory):
    from allauth.account.internal.userkit import get_user_by_username

    assert get_user_by_username("alice") == alice


@pytest.mark.django_db
def test_data_migration_reports_look_alikes_and_changes_nothing(alice, capsys):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("accounts.migrations.0003_report_username_collisions")
    mallory = _lookalike()
    migration.report(apps, None)
    out = capsys.readouterr().out
    assert f"id={mallory.pk}" in out and "look-alike group" in out and "username_collisions --fix" in out
    mallory.refresh_from_db()
    assert mallory.username == "al\u0131ce"
