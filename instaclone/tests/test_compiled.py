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
