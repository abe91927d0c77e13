"""The statements behind likes and saves that Django's ORM cannot express, in one place.

A like is the hottest write on the site; done with the ORM it costs a SELECT of the post (the
access check), a SELECT of the like, a savepoint around the INSERT, the UPDATE of the counter and a
SELECT re-reading it. Two ORM gaps make those extra statements necessary:

- no `INSERT ... SELECT ... ON CONFLICT DO NOTHING RETURNING`: `bulk_create(ignore_conflicts=True)`
  neither says whether a row went in nor makes the insert conditional on the visibility rule;
- no `UPDATE ... RETURNING`: `QuerySet.update()` returns a row count, so the new counter costs a
  second SELECT.

The statements here close those gaps and run unchanged on SQLite (>= 3.35) and PostgreSQL. Table and
column names come from the models' `_meta`, quoted by the connection, so they follow a rename. The
visibility rule is never written here: `visible_post` compiles `Post.objects.visible_to(user)` (the
one rule) for one post, and the writes embed that SQL as an `EXISTS` condition, so a post the user
may not see gets no row, in the same statement that writes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.db import connections, router
from django.db.models import Model
from django.http import Http404
from django.utils import timezone

from instaclone.compiled import compiled_sql, viewer_key
from instaclone.pagination import MAX_ID

from ..models import Post


@dataclass(frozen=True, slots=True)
class VisiblePost:
    """`Post.objects.visible_to(user)` narrowed to one post, compiled: selecting the post's
    `like_count` and author when the user may see it, nothing otherwise."""

    post_id: int
    sql: str
    params: tuple
    using: str


def visible_post(user, post_id: int) -> VisiblePost:
    """The visibility rule for `user` and one post, compiled once per database and kind of viewer
    (instaclone.compiled: building and compiling the rule's queryset was most of a like's CPU) with
    the ids put into its parameters."""
    using = router.db_for_write(Post)
    if not 0 < post_id <= MAX_ID:  # a path id no row can have (as post_get_for_viewer; the driver refuses past 64 bits)
        raise Http404("No such post.")
    sql, params = compiled_sql(
        ("posts.visible_post", *viewer_key(user)), _visible_post_qs, user, post_id, using=using
    )
    return VisiblePost(post_id, sql, tuple(params), using)


def _visible_post_qs(viewer, post_id):
    return Post.objects.visible_to(viewer).filter(pk=post_id).values_list("like_count", "author_id")


def visible_post_read(post: VisiblePost) -> tuple[int, int]:
    """(like_count, author_id) of the post, or 404 if the user may not see it: what a like or save
    that wrote nothing answers (already there, already gone, or not visible)."""
    with connections[post.using].cursor() as cursor:
        cursor.execute(post.sql, post.params)
        row = cursor.fetchone()
    if row is None:
        raise Http404("No such post.")
    return row


@cache
def _row_statements(model: type[Model], using: str) -> tuple[str, str]:
    """INSERT-if-visible and DELETE-if-visible for a (user, post, created) row model; `{visible}`
    stands for the compiled visibility query."""
    q = connections[using].ops.quote_name
    meta = model._meta
    table = q(meta.db_table)
    user, post, created = (q(meta.get_field(name).column) for name in ("user", "post", "created"))
    pk = q(meta.pk.column)
    # No conflict target: the (user, post) unique constraint is the only one a new row can hit.
    insert = (
        f"INSERT INTO {table} ({user}, {post}, {created}) SELECT %s, %s, %s"
        f" WHERE EXISTS ({{visible}}) ON CONFLICT DO NOTHING RETURNING {pk}"
    )
    delete = f"DELETE FROM {table} WHERE {user} = %s AND {post} = %s AND EXISTS ({{visible}})"  # noqa: S608 - names from _meta, values as parameters
    return insert, delete


def row_insert_if_visible(model: type[Model], *, user_id: int, post: VisiblePost) -> bool:
    """Insert `model(user, post)` unless the user may not see the post or the row exists; whether a
    row went in. One statement: the unique constraint settles double clicks and races."""
    connection = connections[post.using]
    insert, _ = _row_statements(model, post.using)
    created = model._meta.get_field("created").get_db_prep_save(timezone.now(), connection)
    with connection.cursor() as cursor:
        cursor.execute(insert.format(visible=post.sql), (user_id, post.post_id, created, *post.params))
        return cursor.fetchone() is not None


def row_delete_if_visible(model: type[Model], *, user_id: int, post: VisiblePost) -> bool:
    """Delete `model(user, post)` if the user may see the post; whether a row went."""
    connection = connections[post.using]
    _, delete = _row_statements(model, post.using)
    with connection.cursor() as cursor:
        cursor.execute(delete.format(visible=post.sql), (user_id, post.post_id, *post.params))
        return cursor.rowcount > 0


@cache
def _like_count_statement(using: str) -> str:
    q = connections[using].ops.quote_name
    meta = Post._meta
    table, pk = q(meta.db_table), q(meta.pk.column)
    count, author = (q(meta.get_field(name).column) for name in ("like_count", "author"))
    new_count = f"CASE WHEN {count} + %s < 0 THEN 0 ELSE {count} + %s END"
    return f"UPDATE {table} SET {count} = {new_count} WHERE {pk} = %s RETURNING {count}, {author}"  # noqa: S608 - names from _meta, values as parameters


def post_like_count_add(post_id: int, delta: int, *, using: str) -> tuple[int, int]:
    """Add `delta` to the post's stored like_count (never below zero) and return the new
    (like_count, author_id), in one statement."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(_like_count_statement(using), (delta, delta, post_id))
        return cursor.fetchone()
