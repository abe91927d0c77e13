"""Give the "Moderators" group exactly what the moderation queue needs, and nothing else:

- social.Report: view, change (work the queue; reports are never added or deleted in the admin);
- posts.Post, posts.Comment: view, change (hide, unhide; moderation deletes go through a change
  action, not the delete permission);
- accounts.User: view, change (suspend, reinstate; for anyone but a superuser the user admin is
  read-only apart from those actions, and passwords, staff flags, groups and permissions are
  superuser-only — see social/admin.py).

Re-running sets the group to exactly this list. Permissions are normally created after migrations
(post_migrate), so they are created here first.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODERATOR_PERMISSIONS = [
    ("social", "report", ["view", "change"]),
    ("posts", "post", ["view", "change"]),
    ("posts", "comment", ["view", "change"]),
    ("accounts", "user", ["view", "change"]),
]


def grant(apps, schema_editor):
    for label in ("social", "posts", "accounts"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Moderators")
    perms = []
    for app_label, model, actions in MODERATOR_PERMISSIONS:
        for action in actions:
            perms.append(
                Permission.objects.get(content_type__app_label=app_label, codename=f"{action}_{model}")
            )
    group.permissions.set(perms)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    group = Group.objects.filter(name="Moderators").first()
    if group is not None:
        group.permissions.clear()


class Migration(migrations.Migration):
    dependencies = [
        ("social", "0004_search_prefix_indexes"),
        ("posts", "0002_comment_like_save"),
        ("accounts", "0002_moderators_group"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
