"""Collections of saved posts: the services (names, owner only, saves kept in step, counts), the
Saved page's covers and the collection page (visible posts only, constant queries), and the views
(another person's collection is a 404, a bad name is a form error, "Save to collection")."""

from __future__ import annotations

import pytest
from django.http import Http404

from accounts.tests.factories import BlockFactory
from posts import selectors, services
from posts.models import Collection, CollectionItem, Post, Save
from posts.services import saves

from .factories import HX, PostRowsFactory, post_url

pytestmark = pytest.mark.django_db


def _count(collection) -> int:
    return Collection.objects.get(pk=collection.pk).item_count


def test_create_and_rename_refuse_a_taken_name_whatever_its_case(alice, bob):
    trips = services.collection_create(owner=alice, name="  Trips   2024 ")
    assert trips.name == "Trips 2024"
    with pytest.raises(services.CollectionError) as exc:
        services.collection_create(owner=alice, name="trips 2024")
    assert exc.value.code == "name_taken"
    services.collection_create(owner=bob, name="Trips 2024")  # another owner may use it
    food = services.collection_create(owner=alice, name="Food")
    with pytest.raises(services.CollectionError):
        services.collection_rename(collection=food, by=alice, name="TRIPS 2024")
    services.collection_rename(collection=food, by=alice, name="food")  # its own name, new case
    assert Collection.objects.get(pk=food.pk).name == "food"


@pytest.mark.parametrize(
    "name,code",
    [("", "name_empty"), ("   ", "name_empty"), ("x" * 61, "name_too_long"), ("evil\u202egnp", "name_invalid"),
     ("zero\u200bwidth", "name_invalid"), ("tab\x00null", "name_invalid"), ("All Posts", "name_taken")],
)
def test_bad_names_are_refused(alice, name, code):
    with pytest.raises(services.CollectionError) as exc:
        services.collection_create(owner=alice, name=name)
    assert exc.value.code == code and not Collection.objects.exists()


def test_only_the_owner_may_change_a_collection(alice, bob):
    mine = services.collection_create(owner=alice, name="Mine")
    post = PostRowsFactory(author=bob)
    for call in (
        lambda: services.collection_rename(collection=mine, by=bob, name="Theirs"),
        lambda: services.collection_delete(collection=mine, by=bob),
        lambda: services.collection_add_post(collection=mine, by=bob, post_id=post.pk),
        lambda: services.collection_remove_post(collection=mine, by=bob, post_id=post.pk),
    ):
        with pytest.raises(services.CollectionError):
            call()
    assert Collection.objects.get(pk=mine.pk).name == "Mine" and not CollectionItem.objects.exists()


def test_adding_saves_the_post_and_counts_once(alice, bob):
    trips = services.collection_create(owner=alice, name="Trips")
    post = PostRowsFactory(author=bob)
    assert services.collection_add_post(collection=trips, by=alice, post_id=post.pk) is True
    assert services.collection_add_post(collection=trips, by=alice, post_id=post.pk) is False
    assert Save.objects.filter(user=alice, post=post).exists() and _count(trips) == 1
    services.collection_remove_post(collection=trips, by=alice, post_id=post.pk)
    services.collection_remove_post(collection=trips, by=alice, post_id=post.pk)
    assert _count(trips) == 0 and Save.objects.filter(user=alice, post=post).exists()  # still saved


def test_adding_a_post_the_owner_may_not_see_is_a_404_and_writes_nothing(alice, bob):
    trips = services.collection_create(owner=alice, name="Trips")
    post = PostRowsFactory(author=bob)
    BlockFactory(blocker=bob, blocked=alice)
    with pytest.raises(Http404):
        services.collection_add_post(collection=trips, by=alice, post_id=post.pk)
    assert not Save.objects.exists() and not CollectionItem.objects.exists() and _count(trips) == 0


def test_unsave_removes_the_post_from_every_collection(alice, bob):
    a, b = services.collection_create(owner=alice, name="A"), services.collection_create(owner=alice, name="B")
    post, other = PostRowsFactory(author=bob), PostRowsFactory(author=bob)
    for collection in (a, b):
        services.collection_add_post(collection=collection, by=alice, post_id=post.pk)
    services.collection_add_post(collection=a, by=alice, post_id=other.pk)
    services.save_delete(user=alice, post_id=post.pk)
    assert list(CollectionItem.objects.values_list("post_id", flat=True)) == [other.pk]
    assert (_count(a), _count(b)) == (1, 0)


def test_unsave_drops_only_the_counts_of_collections_it_took_the_post_from(alice, bob, monkeypatch):
    a, b = services.collection_create(owner=alice, name="A"), services.collection_create(owner=alice, name="B")
    post, other = PostRowsFactory(author=bob), PostRowsFactory(author=bob)
    for collection, added in ((a, post), (a, other), (b, post)):
        services.collection_add_post(collection=collection, by=alice, post_id=added.pk)
    real_delete = saves.row_delete_if_visible

    def removed_from_a_meanwhile(*args, **kwargs):  # another request takes it out of A first
        services.collection_remove_post(collection=a, by=alice, post_id=post.pk)
        return real_delete(*args, **kwargs)

    monkeypatch.setattr(saves, "row_delete_if_visible", removed_from_a_meanwhile)
    services.save_delete(user=alice, post_id=post.pk)
    assert (_count(a), _count(b)) == (1, 0)
    assert list(CollectionItem.objects.values_list("post_id", flat=True)) == [other.pk]


@pytest.mark.parametrize("n", [1, 3])
def test_unsave_from_collections_costs_the_same_for_one_and_many(alice, bob, n, django_assert_num_queries):
    post = PostRowsFactory(author=bob)
    for i in range(n):
        collection = services.collection_create(owner=alice, name=f"C{i}")
        services.collection_add_post(collection=collection, by=alice, post_id=post.pk)
    # (the visibility rule is embedded in the DELETE: no read) 1 SAVEPOINT, 2 DELETE the save,
    # 3 the user's items of the post FOR UPDATE, 4 DELETE them, 5 UPDATE their collections' counts,
    # 6 RELEASE SAVEPOINT
    with django_assert_num_queries(6):
        services.save_delete(user=alice, post_id=post.pk)
    assert not CollectionItem.objects.exists() and not Save.objects.exists()
    assert set(Collection.objects.values_list("item_count", flat=True)) == {0}


def test_delete_keeps_the_saves(alice, bob):
    trips = services.collection_create(owner=alice, name="Trips")
    post = PostRowsFactory(author=bob)
    services.collection_add_post(collection=trips, by=alice, post_id=post.pk)
    services.collection_delete(collection=trips, by=alice)
    assert not Collection.objects.exists() and not CollectionItem.objects.exists()
    assert Save.objects.filter(user=alice, post=post).exists()


def test_deleting_a_post_keeps_collection_counts_right(alice, bob):
    trips = services.collection_create(owner=alice, name="Trips")
    post = PostRowsFactory(author=bob)
    services.collection_add_post(collection=trips, by=alice, post_id=post.pk)
    services.post_delete(post=post)
    assert _count(trips) == 0


def test_invisible_posts_leave_the_collection_page_and_cover(alice, bob, charlie):
    trips = services.collection_create(owner=alice, name="Trips")
    kept, hidden, archived = PostRowsFactory(author=bob), PostRowsFactory(author=bob), PostRowsFactory(author=bob)
    blocked = PostRowsFactory(author=charlie)
    for post in (kept, hidden, archived, blocked):
        services.collection_add_post(collection=trips, by=alice, post_id=post.pk)
    Post.objects.filter(pk=hidden.pk).update(is_hidden=True)
    services.post_archive(post=archived, by=bob)
    BlockFactory(blocker=charlie, blocked=alice)
    assert [i.post_id for i in selectors.collection_page(alice, trips).items] == [kept.pk]
    [collection] = selectors.collections_with_covers(alice)
    assert [m.post_id for m in collection.cover] == [kept.pk]


def test_cover_is_the_latest_four_visible_posts(alice, bob):
    trips = services.collection_create(owner=alice, name="Trips")
    posts = [PostRowsFactory(author=bob) for _ in range(6)]
    for post in posts:
        services.collection_add_post(collection=trips, by=alice, post_id=post.pk)
    [collection] = selectors.collections_with_covers(alice)
    assert [m.post_id for m in collection.cover] == [p.pk for p in reversed(posts[2:])]
    assert all(m.position == 0 for m in collection.cover)


@pytest.mark.parametrize("n", [1, 6])
def test_saved_page_with_collections_costs_the_same_for_one_or_many(client, alice, bob, n, django_assert_num_queries):
    for i in range(n):
        collection = services.collection_create(owner=alice, name=f"C{i}")
        for _ in range(3):
            services.collection_add_post(collection=collection, by=alice, post_id=PostRowsFactory(author=bob, media=2).pk)
    client.force_login(alice)
    client.get("/saved/")  # warm the session and the nav badge's cache
    # session, user, saves+posts, their media, collections, cover items (ranked), cover media
    with django_assert_num_queries(7):
        html = client.get("/saved/").content.decode()
    assert html.count('class="collection-tile"') == n + 1  # "All posts" and each collection


@pytest.mark.parametrize("n", [1, 5])
def test_collection_page_queries_do_not_grow(client, alice, bob, n, django_assert_num_queries):
    trips = services.collection_create(owner=alice, name="Trips")
    for _ in range(n):
        services.collection_add_post(collection=trips, by=alice, post_id=PostRowsFactory(author=bob).pk)
    client.force_login(alice)
    url = f"/p/collections/{trips.pk}/"
    client.get(url)
    # session, user, the collection (owner's), items+posts, their media
    with django_assert_num_queries(5):
        html = client.get(url).content.decode()
    assert html.count('id="collected-') == n


def test_another_persons_collection_is_a_404(client, alice, bob):
    mine = services.collection_create(owner=alice, name="Mine")
    client.force_login(bob)
    for url in (f"/p/collections/{mine.pk}/", f"/p/collections/{mine.pk}/edit/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/p/collections/{mine.pk}/edit/", {"name": "Stolen"}).status_code == 404
    assert client.post(f"/p/collections/{mine.pk}/delete/").status_code == 404
    post = PostRowsFactory(author=alice)
    response = client.post(post_url("save_to", post), {"collection": mine.pk, "action": "add"})
    assert response.status_code == 404
    assert Collection.objects.get(pk=mine.pk).name == "Mine" and not CollectionItem.objects.exists()
    assert client.get("/p/collections/99999999999999999999/").status_code == 404


@pytest.mark.parametrize("name", ["", "\u202eevil", "x" * 200, "All posts"])
def test_hostile_names_are_form_errors(alice_client, name):
    response = alice_client.post("/p/collections/new/", {"name": name})
    assert response.status_code == 400
    assert 'class="field__errors"' in response.content.decode() and not Collection.objects.exists()


def test_names_are_shown_as_text(alice_client, alice):
    collection = services.collection_create(owner=alice, name="<b>bold</b>")
    html = alice_client.get("/saved/").content.decode()
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "<b>bold</b>" not in html
    assert f'href="/p/collections/{collection.pk}/"' in html


def test_create_rename_delete_views(alice_client, alice, bob):
    response = alice_client.post("/p/collections/new/", {"name": "Trips"})
    collection = Collection.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/p/collections/{collection.pk}/"
    response = alice_client.post(f"/p/collections/{collection.pk}/edit/", {"name": "Journeys"})
    assert response.status_code == 302 and Collection.objects.get().name == "Journeys"
    services.collection_create(owner=alice, name="Food")
    response = alice_client.post(f"/p/collections/{collection.pk}/edit/", {"name": "food"})
    assert response.status_code == 400 and "already have a collection" in response.content.decode()
    post = PostRowsFactory(author=bob)
    services.collection_add_post(collection=collection, by=alice, post_id=post.pk)
    response = alice_client.post(f"/p/collections/{collection.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == "/saved/"
    assert not Collection.objects.filter(pk=collection.pk).exists() and Save.objects.filter(post=post).exists()
    assert alice_client.get(f"/p/collections/{collection.pk}/delete/").status_code == 405


def test_save_to_page_works_without_javascript(alice_client, alice, bob):
    post = PostRowsFactory(author=bob)
    trips = services.collection_create(owner=alice, name="Trips")
    html = alice_client.get(post_url("save_to", post)).content.decode()
    assert "Trips" in html and 'value="add"' in html
    response = alice_client.post(post_url("save_to", post), {"collection": trips.pk, "action": "add", "next": "/"})
    assert response.status_code == 302 and response["Location"] == f"/#post-{post.pk}"  # back to the card
    assert CollectionItem.objects.filter(collection=trips, post=post).exists()
    response = alice_client.post(post_url("save_to", post), {"action": "create", "name": "New one", "next": "/"})
    assert response.status_code == 302
    assert CollectionItem.objects.filter(collection__name="New one", post=post).exists()
    response = alice_client.post(post_url("save_to", post), {"action": "create", "name": "new ONE", "next": "/"})
    assert response.status_code == 400 and "already have a collection" in response.content.decode()


def test_save_to_with_htmx_answers_the_dialog_and_the_save_button(alice_client, alice, bob):
    post = PostRowsFactory(author=bob)
    trips = services.collection_create(owner=alice, name="Trips")
    html = alice_client.get(post_url("save_to", post), **HX).content.decode()
    assert "<html" not in html and "save-to-dialog--modal" in html
    html = alice_client.post(post_url("save_to", post), {"collection": trips.pk, "action": "add"}, **HX).content.decode()
    assert "Saved to “Trips”." in html and 'value="remove"' in html
    assert f'id="save-form-{post.pk}" hx-swap-oob="true" data-saved="true"' in html
    html = alice_client.post(post_url("save_to", post), {"action": "create", "name": "\u202e"}, **HX).content.decode()
    assert 'class="field__errors"' in html


def test_save_to_an_invisible_post_is_a_404(alice_client, alice, bob):
    post = PostRowsFactory(author=bob, hidden=True)
    assert alice_client.get(post_url("save_to", post)).status_code == 404
