"""The database holds two rules of Post: archived iff `archived_at` is set (the Archive page's
keyset orders by it), and `aspect_ratio` within [4:5, 1.91:1] (posts.services.posts ASPECT_MIN,
ASPECT_MAX, copied here; a little slack for float rounding). Rows that break them (edited in the
admin before its fields were read-only) are mended first: an archived post without a time gets its
last change's, an unarchived one loses its time, a ratio out of bounds is clamped."""

from django.db import migrations, models
from django.db.models import F, Q

ASPECT_MIN = 4 / 5
ASPECT_MAX = 1.91


def mend_rows(apps, schema_editor):
    Post = apps.get_model("posts", "Post")
    Post.objects.filter(is_archived=True, archived_at__isnull=True).update(archived_at=F("updated"))
    Post.objects.filter(is_archived=False, archived_at__isnull=False).update(archived_at=None)
    Post.objects.filter(aspect_ratio__lt=ASPECT_MIN).update(aspect_ratio=ASPECT_MIN)
    Post.objects.filter(aspect_ratio__gt=ASPECT_MAX).update(aspect_ratio=ASPECT_MAX)


class Migration(migrations.Migration):
    dependencies = [("posts", "0008_user_post_count_recount")]

    operations = [
        migrations.RunPython(mend_rows, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="post",
            constraint=models.CheckConstraint(
                condition=Q(is_archived=True, archived_at__isnull=False) | Q(is_archived=False, archived_at__isnull=True),
                name="post_archived_iff_archived_at",
            ),
        ),
        migrations.AddConstraint(
            model_name="post",
            constraint=models.CheckConstraint(
                condition=Q(aspect_ratio__gte=0.7999, aspect_ratio__lte=1.9101), name="post_aspect_ratio_in_bounds"
            ),
        ),
    ]
