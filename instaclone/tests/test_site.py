def test_favicon_points_at_our_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("/static/img/logo.svg")


def test_get_on_a_state_changing_url_is_405_with_a_readable_page(client, django_user_model, db):
    from instaclone.testing import make_user
    from posts.tests.factories import PostFactory

    post = PostFactory(author=make_user("alice"))
    response = client.get(f"/p/{post.pk}/like/")
    assert response.status_code == 405
    assert "POST" in response["Allow"]
    assert "only works as a button" in response.content.decode()
    assert f'href="/p/{post.pk}/"' in response.content.decode()
    htmx = client.get(f"/p/{post.pk}/like/", headers={"HX-Request": "true"})
    assert htmx.status_code == 405 and htmx.content == b""


def test_the_nav_marks_the_current_page_and_only_it(client, django_user_model, db):
    import re

    user = django_user_model.objects.create_user("navi", "navi@example.com", "pw-Long-enough-1")
    client.force_login(user)
    for path, current in (("/", "/"), ("/explore/", "/explore/"), ("/p/new/", "/p/new/"), ("/search/", "/search/")):
        nav = client.get(path).content.decode().split('<nav class="nav"', 1)[1].split("</nav>", 1)[0]
        assert re.findall(r'href="([^"]+)" aria-current="page"', nav) == [current], path


def test_postgresql_connections_plan_no_parallel_workers(db):
    """A 5,000-followee feed query took 25 ms with two parallel workers and 3 ms without (EXPLAIN
    ANALYZE, bench/RESULTS.md): our connections turn them off."""
    import pytest
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] == "0"
