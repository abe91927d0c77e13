"""Prefix-search indexes for /search/ on PostgreSQL: LOWER(col) LIKE 'abc%' needs pattern ops unless
the database collation is C. SQLite (development) has no equivalent and skips them."""

from django.db import migrations

INDEXES = [
    ("social_user_username_prefix_idx", "accounts_user", "LOWER(username) varchar_pattern_ops"),
    ("social_user_display_name_prefix_idx", "accounts_user", "LOWER(display_name) varchar_pattern_ops"),
    ("social_hashtag_name_prefix_idx", "posts_hashtag", "name varchar_pattern_ops"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, expr in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({expr})")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _expr in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("social", "0003_feeditem"),
        ("accounts", "0001_initial"),
        ("posts", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
