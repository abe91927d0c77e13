from django.core.management import call_command

from posts.models import Post


def test_seed_posts_is_idempotent(db, media_root):
    call_command("seed_demo", verbosity=0)
    call_command("seed_posts", "--per-user", "2", "--size", "160", verbosity=0)
    count = Post.objects.count()
    assert count >= 2 * 5
    assert Post.objects.filter(media_count=2).exists()
    call_command("seed_posts", "--per-user", "2", "--size", "160", verbosity=0)
    assert Post.objects.count() == count
