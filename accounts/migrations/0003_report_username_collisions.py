"""Report (never change) usernames that are not ASCII or look like another account's (issue 9,
item 1). Usernames are ASCII only from this release on; rows from before can be listed and renamed
with `python manage.py username_collisions [--fix]`. Nothing to undo."""

import logging

from django.db import migrations

logger = logging.getLogger("accounts.migrations")


def report(apps, schema_editor):
    from accounts.usernames import username_collisions

    User = apps.get_model("accounts", "User")
    found = username_collisions(User.objects.values_list("pk", "username").iterator())
    if not found:
        return
    lines = [
        "Look-alike usernames found (nothing was changed).",
        *found.lines(),
        "Run `python manage.py username_collisions --fix` to rename the non-ASCII ones to user<id>.",
    ]
    for line in lines:
        logger.warning(line)
        print(line)  # noqa: T201 - a migration's output is its report


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_moderators_group")]

    operations = [migrations.RunPython(report, migrations.RunPython.noop, elidable=True)]
