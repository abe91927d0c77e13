"""Querysets compiled once and run many times: `compiled_fetch(key, build, values)` (or their SQL,
`compiled_sql`, for a statement that embeds them).

A profile or post page reads four or five rows through the visibility rule, and Django builds and
compiles each of those querysets again on every request: the rule's filters, its subqueries, the
joins. That Python work costs far more than running the SQL (bench/RESULTS.md: reading the profile's
owner costs ~2.2 ms through the ORM and ~0.3 ms as its compiled SQL on the benchmark machine). The SQL
of such a read differs from one request to the next only in its parameters (the viewer's id, a
username, a post id), so it is compiled once per shape and only the parameters change.

How: `build(*markers)` returns the queryset with a marker in place of each value (negative ints and
odd strings no row has); it is compiled once per `key`, and the positions of the markers in the
compiled parameters are kept. Each call puts the real values in those positions, runs the SQL
through the connection's cursor (so query counting and debug logging see it) and turns the rows into
model instances the way `QuerySet` does (select_related, annotations, the database's converters),
then runs the queryset's prefetch lookups.

`key` must hold everything `build` reads besides the values: what kind of viewer (anonymous,
signed in, staff), page sizes, flags. A viewer passed to `build` is replaced by `StandInViewer`,
which has only an id (a marker) and the fields the key names, and fails loudly if the query reads
anything else of the viewer — a query that would depend on it cannot be cached by mistake.
Only `values` of type int or str are markers; anything else must be in `key`. The visibility rule
is never written here: what runs is the SQL Django compiles from it.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.core.signals import setting_changed
from django.db import connections
from django.db.models import QuerySet, prefetch_related_objects
from django.db.models.query import get_related_populators
from django.dispatch import receiver

_INT_MARKER = -7_346_210_000  # markers: _INT_MARKER - position (no row has a negative id)


class StandInViewer:
    """A signed-in viewer for compiling: `pk` (a marker) and `is_staff`. Reading any other public
    attribute raises, so the cache key always holds what the compiled SQL depends on. Private names
    (a per-object cache the rule may keep on its viewer) are simply absent."""

    __slots__ = ("_pk", "is_staff", "pk_read")
    is_authenticated = True
    is_anonymous = False

    def __init__(self, pk: int, is_staff: bool):
        self._pk, self.is_staff, self.pk_read = pk, is_staff, False

    @property
    def pk(self) -> int:
        self.pk_read = True  # then its marker must come out of the compiler as a parameter
        return self._pk

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        raise LookupError(f"a compiled query reads viewer.{name}, which its cache key does not hold")


@dataclass(frozen=True, slots=True)
class _Compiled:
    compiler: object
    sql: str
    recipe: tuple  # each parameter: (True, position in values) or (False, the constant)
    prefetch: tuple


_cache: dict[tuple, _Compiled] = {}


def viewer_key(viewer) -> tuple:
    """The part of a cache key that says what kind of viewer a query is compiled for."""
    if viewer is None or not viewer.is_authenticated:
        return ("anonymous",)
    return ("signed-in", bool(viewer.is_staff))


def _marker(position: int, value):
    if type(value) is int:
        return _INT_MARKER - position
    if isinstance(value, str):
        return f"zq{position}markerqz"
    raise TypeError(f"compiled_fetch() takes int and str values, got {value!r}")


_DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")  # how SQLite's adapter passes dates and datetimes


def _is_time(value) -> bool:
    if isinstance(value, datetime.date | datetime.time | datetime.timedelta):
        return True
    return isinstance(value, str) and _DATE_TEXT.match(value) is not None


def _compile(using: str, build: Callable[..., QuerySet], values: Sequence, viewer) -> _Compiled:
    markers = [_marker(i, v) for i, v in enumerate(values)]
    stand_in = viewer
    if viewer is not None and viewer.is_authenticated:
        stand_in = StandInViewer(markers[0], bool(viewer.is_staff))
    qs = build(stand_in, *markers[1:])
    compiler = qs.query.get_compiler(using=using)
    sql, params = compiler.as_sql()  # also fills compiler.select, klass_info, annotation_col_map
    positions = {(type(m), m): i for i, m in enumerate(markers)}
    recipe = []
    for param in params:
        position = positions.get((type(param), param))
        recipe.append((True, position) if position is not None else (False, param))
    # Every value must reach the SQL as itself, as a parameter: a value in the SQL text, a value the
    # compiler rewrote ('%marker%' for __contains) or dropped (an impossible comparison pruned) would
    # be frozen or lost, and every later call would get the first call's rows.
    used = {position for is_marker, position in recipe if is_marker}
    needed = set(range(1, len(markers))) | ({0} if getattr(stand_in, "pk_read", False) else set())
    if needed - used:
        raise AssertionError(f"compiled query: values {sorted(needed - used)} did not reach its parameters intact")
    for marker in markers:
        text = str(marker).lstrip("-")
        if text in sql or any(isinstance(p, str) and text in p and p != marker for p in params):
            raise AssertionError("a compiled query holds a value in its SQL text or inside a parameter")
    for lookup in qs._prefetch_related_lookups:
        inner = getattr(lookup, "queryset", None)
        if inner is not None and any(str(m).lstrip("-") in str(inner.query) for m in markers):
            # a Prefetch queryset runs later with whatever it was built with: the first caller's ids
            raise AssertionError("a compiled query's Prefetch queryset depends on its values")
    for is_marker, value in recipe:
        if not is_marker and _is_time(value):
            # "now", a cut-off day: it would be frozen at the first request.
            raise TypeError(f"a compiled query holds a time constant ({value!r}): read it through the ORM")
    return _Compiled(compiler, sql, tuple(recipe), tuple(qs._prefetch_related_lookups))


def compiled_fetch(
    key: tuple, build: Callable[..., QuerySet], viewer, *values, using: str = "default"
) -> list:
    """The model instances of `build(viewer, *values)`, compiled once per (`using`, `key`).

    `viewer` is passed to `build` first: the signed-in viewer's id is a value like the others (the
    key holds `viewer_key(viewer)` for the rest); an anonymous viewer is passed as it is."""
    compiled, params = _compiled(key, build, viewer, values, using)
    with connections[using].cursor() as cursor:
        cursor.execute(compiled.sql, params)
        rows = cursor.fetchall()
    objs = _instances(compiled.compiler, rows, using)
    if objs and compiled.prefetch:
        prefetch_related_objects(objs, *compiled.prefetch)
    return objs


def compiled_sql(
    key: tuple, build: Callable[..., QuerySet], viewer, *values, using: str = "default"
) -> tuple[str, list]:
    """The SQL and parameters of `build(viewer, *values)`, compiled once per (`using`, `key`) as for
    compiled_fetch, for a statement that embeds the read (posts' likes and saves: INSERT ... WHERE
    EXISTS (the visibility rule for the post))."""
    compiled, params = _compiled(key, build, viewer, values, using)
    return compiled.sql, params


def _compiled(key: tuple, build: Callable[..., QuerySet], viewer, values: Sequence, using: str):
    signed_in = viewer is not None and viewer.is_authenticated
    args = (viewer.pk if signed_in else 0, *values)
    cache_key = (using, getattr(build, "__code__", build), key)  # two builds never share a key
    compiled = _cache.get(cache_key)
    if compiled is None:
        compiled = _cache[cache_key] = _compile(using, build, args, viewer)
    return compiled, [args[value] if is_marker else value for is_marker, value in compiled.recipe]


def _instances(compiler, rows, using: str) -> list:
    """Model instances from the rows, as QuerySet's ModelIterable makes them."""
    select, klass_info, annotation_col_map = compiler.select, compiler.klass_info, compiler.annotation_col_map
    model = klass_info["model"]
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    init_list = [column[0].target.attname for column in select[start:end]]
    related_populators = get_related_populators(klass_info, select, using)
    objs = []
    for row in compiler.results_iter([rows]):
        obj = model.from_db(using, init_list, row[start:end])
        for populator in related_populators:
            populator.populate(row, obj)
        for name, position in annotation_col_map.items():
            setattr(obj, name, row[position])
        objs.append(obj)
    return objs


@receiver(setting_changed)
def _forget(*, setting, **kwargs):
    if setting in ("DATABASES", "POSTS_PAGE_SIZE"):
        _cache.clear()
