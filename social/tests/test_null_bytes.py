"""NUL characters never reach the database (PostgreSQL refuses them in text): clear 4xx or ignored."""

import pytest

from posts.models import Comment
from posts.tests.factories import PostFactory


@pytest.mark.django_db
def test_null_byte_in_a_comment_is_an_inline_error(alice_client, alice):
    post = PostFactory(author=alice)
    response = alice_client.post(f"/p/{post.pk}/comments/", {"body": "hi\x00there"}, headers={"HX-Request": "true"})
    assert response.status_code in (200, 400)
    assert "null characters" in response.content.decode()
    assert not Comment.objects.exists()


@pytest.mark.django_db
def test_null_byte_in_search_is_ignored(alice_client, bob):
    response = alice_client.get("/search/", {"q": "bo\x00b"})
    assert response.status_code == 200
    assert "bob" in response.content.decode()


@pytest.mark.django_db
def test_null_byte_in_a_profile_url_is_404(client):
    assert client.get("/al%00ice/").status_code == 404
