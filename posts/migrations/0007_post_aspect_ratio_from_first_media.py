"""Fill Post.aspect_ratio for posts made before the aspect choice: the frame of their "original"
aspect, the first media item's shape clamped to [4:5, 1.91:1] (posts.services.posts.aspect_ratio_for;
the bounds are copied here because a migration must not import code that may change)."""

from django.db import migrations

ASPECT_MIN = 4 / 5
ASPECT_MAX = 1.91
BATCH = 2000


def fill_aspect_ratio(apps, schema_editor):
    Post = apps.get_model("posts", "Post")
    PostMedia = apps.get_model("posts", "PostMedia")
    first = PostMedia.objects.filter(position=0, width__gt=0, height__gt=0)
    changed = []
    for post_id, width, height in first.values_list("post_id", "width", "height").iterator(chunk_size=BATCH):
        ratio = round(min(ASPECT_MAX, max(ASPECT_MIN, width / height)), 4)
        changed.append(Post(pk=post_id, aspect_ratio=ratio))
        if len(changed) >= BATCH:
            Post.objects.bulk_update(changed, ["aspect_ratio"])
            changed = []
    if changed:
        Post.objects.bulk_update(changed, ["aspect_ratio"])


class Migration(migrations.Migration):
    dependencies = [("posts", "0006_aspect_archive_phototag_collection")]

    operations = [migrations.RunPython(fill_aspect_ratio, migrations.RunPython.noop, elidable=True)]
