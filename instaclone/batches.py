"""Deleting many rows in batches, one transaction a batch (the account purge's steps in every layer:
accounts/services/deletion.py, posts/services/purge.py, social/purge.py). Infrastructure: imports
no app.

- `delete_in_batches(qs, batch)`: every row of a queryset, `batch` rows a transaction; idempotent
  (each batch reads what is left), for rows nobody else counts.
- `delete_counted(model, rows)`: delete specific rows and say, per key (the post whose
  `like_count` counts them, the person whose `follower_count` does), how many THIS delete removed,
  so a counter is moved by what went and not by what was read: a row another transaction deleted
  in between (it moved the counter itself) is not subtracted twice.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable

from django.db import transaction


def delete_in_batches(qs, batch: int) -> int:
    """Delete every row of `qs`, `batch` rows a transaction; how many went."""
    done = 0
    while True:
        with transaction.atomic():
            ids = list(qs.order_by("pk").values_list("pk", flat=True)[:batch])
            if not ids:
                return done
            qs.model.objects.filter(pk__in=ids).delete()
            done += len(ids)


class _Raced(Exception):
    pass


def _deleted(model, pks) -> int:
    """Rows of `model` itself that deleting these pks removed (cascaded rows of others not counted)."""
    _, per_model = model.objects.filter(pk__in=pks).delete()
    return per_model.get(model._meta.label, 0)


def delete_counted(model, rows: Iterable[tuple[int, Hashable]]) -> Counter:
    """Delete the rows `(pk, key)` of `model` and return {key: rows this delete removed}. Call it in
    the caller's transaction, with the rows read under `select_for_update` (PostgreSQL then blocks a
    concurrent deleter until this commits, and the one statement removes exactly what was read).
    Where the count still differs (another transaction deleted some of the rows in between: a
    database without row locks, or rows read without them), the statement is undone (a savepoint)
    and the rows are deleted a key at a time, each key's count from its own statement."""
    rows = list(rows)
    if not rows:
        return Counter()
    try:
        with transaction.atomic():  # a savepoint
            if _deleted(model, [pk for pk, _ in rows]) != len(rows):
                raise _Raced
            return Counter(key for _, key in rows)
    except _Raced:
        pass
    by_key: dict[Hashable, list[int]] = defaultdict(list)
    for pk, key in rows:
        by_key[key].append(pk)
    counts = Counter()
    for key, pks in by_key.items():
        n = _deleted(model, pks)
        if n:
            counts[key] = n
    return counts
