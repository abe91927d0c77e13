"""Writes for collections: named groups of a person's saved posts (Instagram's collections).

Saving into a collection saves the post too (through `save_create`, which embeds the visibility
rule: a post the person may not see is a 404 and nothing is written); removing from a collection
keeps the save; unsaving removes the post from every collection (`saves.save_delete`); deleting a
collection removes its items and keeps the saves. `Collection.item_count` moves with F() in the
transaction that adds or removes an item (`check_counters` verifies it). Only the owner may touch a
collection: anyone else gets `CollectionError` (views answer 404 before that, through
`selectors.collection_get_for_owner`)."""

from __future__ import annotations

import unicodedata

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import User
from instaclone.errors import DomainError

from ..models import Collection, CollectionItem
from .saves import save_create

COLLECTION_NAME_MAX_LENGTH = Collection._meta.get_field("name").max_length
# The Saved page lists every collection with its cover in one page; a bound keeps it one page.
MAX_COLLECTIONS = 100
# What the Saved page's first tile is called; a collection may not take its name.
ALL_POSTS_NAME = "All posts"


class CollectionError(DomainError):
    """A collection change refused (a bad or taken name, too many collections, not the owner)."""

    field = "name"


def collection_clean_name(name: str) -> str:
    """The name as stored: surrounding and repeated spaces removed; refused when empty, too long,
    or containing control or invisible formatting characters (bidi overrides, zero-width joiners)."""
    name = " ".join((name or "").split())
    if not name:
        raise CollectionError("Give the collection a name.", code="name_empty")
    if len(name) > COLLECTION_NAME_MAX_LENGTH:
        raise CollectionError(
            f"Collection names can be at most {COLLECTION_NAME_MAX_LENGTH} characters.", code="name_too_long"
        )
    if any(unicodedata.category(ch) in {"Cc", "Cf", "Co", "Cs", "Cn"} for ch in name):
        raise CollectionError("Collection names can't contain invisible or control characters.", code="name_invalid")
    if name.casefold() == ALL_POSTS_NAME.casefold():
        raise CollectionError(f"“{ALL_POSTS_NAME}” is already the name of your Saved posts.", code="name_taken")
    return name


def _name_taken(name: str) -> CollectionError:
    return CollectionError(f"You already have a collection called “{name}”.", code="name_taken")


def _check_owner(collection: Collection, by: User) -> None:
    if not getattr(by, "is_authenticated", False) or collection.owner_id != by.pk:
        raise CollectionError("That collection isn't yours.", code="not_owner", field="")


def _name_free(owner_id: int, name: str, *, exclude_pk: int | None = None) -> bool:
    qs = Collection.objects.annotate(lower=Lower("name")).filter(owner_id=owner_id, lower=name.lower())
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return not qs.exists()


def collection_create(*, owner: User, name: str) -> Collection:
    """A new, empty collection. Names are unique per owner, whatever their case."""
    name = collection_clean_name(name)
    if Collection.objects.filter(owner_id=owner.pk).count() >= MAX_COLLECTIONS:
        raise CollectionError(f"You can have at most {MAX_COLLECTIONS} collections.", code="too_many")
    if not _name_free(owner.pk, name):
        raise _name_taken(name)
    try:
        with transaction.atomic():
            return Collection.objects.create(owner_id=owner.pk, name=name)
    except IntegrityError:  # the same name created at the same moment (the unique constraint)
        raise _name_taken(name) from None


def collection_rename(*, collection: Collection, by: User, name: str) -> Collection:
    _check_owner(collection, by)
    name = collection_clean_name(name)
    if name == collection.name:
        return collection
    if not _name_free(by.pk, name, exclude_pk=collection.pk):
        raise _name_taken(name)
    try:
        with transaction.atomic():
            Collection.objects.filter(pk=collection.pk).update(name=name, updated=timezone.now())
    except IntegrityError:
        raise _name_taken(name) from None
    collection.name = name
    return collection


def collection_delete(*, collection: Collection, by: User) -> None:
    """Delete the collection and its items; the posts stay saved."""
    _check_owner(collection, by)
    Collection.objects.filter(pk=collection.pk).delete()


def collection_add_post(*, collection: Collection, by: User, post_id: int) -> bool:
    """Save the post (if it is not saved yet) and put it into the collection (idempotent); whether
    an item was added. 404 (Http404) for a post the owner may not see: nothing is written."""
    _check_owner(collection, by)
    with transaction.atomic():
        save_create(user=by, post_id=post_id)
        try:
            with transaction.atomic():
                CollectionItem.objects.create(collection_id=collection.pk, post_id=post_id)
        except IntegrityError:  # already in it (the unique constraint settles double clicks)
            return False
        Collection.objects.filter(pk=collection.pk).update(item_count=F("item_count") + 1, updated=timezone.now())
    return True


def collection_remove_post(*, collection: Collection, by: User, post_id: int) -> bool:
    """Take the post out of the collection (idempotent); it stays saved."""
    _check_owner(collection, by)
    with transaction.atomic():
        deleted, _ = CollectionItem.objects.filter(collection_id=collection.pk, post_id=post_id).delete()
        if deleted:
            Collection.objects.filter(pk=collection.pk, item_count__gt=0).update(item_count=F("item_count") - 1)
    return bool(deleted)


def collection_items_remove_for_post(*, post_id: int) -> None:
    """Deleting a post (posts.post_delete): the counts of the collections that held it drop by one
    (their items go with the post, by cascade). Called inside that transaction."""
    holding = CollectionItem.objects.filter(post_id=post_id).values("collection_id")
    Collection.objects.filter(pk__in=holding, item_count__gt=0).update(item_count=F("item_count") - 1)
