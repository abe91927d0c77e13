"""Recount User.post_count under its current meaning: a post counts iff it is neither hidden by
moderators nor archived (social.moderation's _post_count_move, posts.services.archive, checked by
`manage.py check_counters`). Counts kept before that meaning still included hidden posts. One
UPDATE with a correlated subquery; reversing leaves the counts as they are."""

from django.db import migrations
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce


def recount_posts(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Post = apps.get_model("posts", "Post")
    counted = (
        Post.objects.filter(author_id=OuterRef("pk"), is_hidden=False, is_archived=False)
        .order_by()
        .values("author_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    User.objects.update(post_count=Coalesce(Subquery(counted), 0))


class Migration(migrations.Migration):
    dependencies = [
        ("posts", "0007_post_aspect_ratio_from_first_media"),
        ("accounts", "0004_user_last_active"),
    ]

    operations = [migrations.RunPython(recount_posts, migrations.RunPython.noop, elidable=True)]
