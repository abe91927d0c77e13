"""instaclone.compiled refuses what it cannot cache safely."""

import pytest
from django.utils import timezone

from accounts.models import User
from instaclone.compiled import compiled_fetch


@pytest.mark.django_db
def test_a_time_constant_is_refused_not_frozen():
    """"now" compiled into the SQL would stay the first request's "now" forever."""
    with pytest.raises(TypeError, match="time constant"):
        compiled_fetch(("test.time",), lambda viewer: User.objects.filter(date_joined__lte=timezone.now()), None)


@pytest.mark.django_db
def test_a_viewer_attribute_outside_the_key_is_refused(django_user_model):
    viewer = django_user_model.objects.create_user("kim", "kim@example.com", "pw-Long-enough-1")
    with pytest.raises(LookupError, match="viewer.is_private"):
        compiled_fetch(("test.attr",), lambda v: User.objects.filter(is_private=v.is_private), viewer)


@pytest.mark.django_db
def test_a_value_the_compiler_rewrites_is_refused():
    """'%value%' for __contains would freeze the first call's value into the SQL."""
    with pytest.raises(AssertionError, match="did not reach|inside a parameter"):
        compiled_fetch(("test.contains",), lambda v, name: User.objects.filter(username__contains=name), None, "an")


@pytest.mark.django_db
def test_two_builds_never_share_a_key(django_user_model):
    ana = django_user_model.objects.create_user("ana", "ana@example.com", "pw-Long-enough-1")
    bob = django_user_model.objects.create_user("bob", "bob@example.com", "pw-Long-enough-1")
    by_id = compiled_fetch(("test.same",), lambda v, pk: User.objects.filter(pk=pk), None, ana.pk)
    by_other = compiled_fetch(("test.same",), lambda v, pk: User.objects.exclude(pk=pk).order_by("pk"), None, ana.pk)
    assert [u.username for u in by_id] == ["ana"] and [u.username for u in by_other] == ["bob"]
    assert bob.pk != ana.pk
