from django.core.management import call_command

from posts.models import Post


def test_seed_posts_is_idempotent(alice, bob, media_root):
    args = ["seed_posts", "--users", "alice", "bob", "--per-user", "2", "--size", "96"]
    call_command(*args, verbosity=0)
    assert Post.objects.filter(author=alice).count() == Post.objects.filter(author=bob).count() == 2
    assert Post.objects.filter(media_count=2).exists()  # some carousels
    assert "#sunset" in Post.objects.order_by("id").first().caption
    call_command(*args, verbosity=0)
    assert Post.objects.count() == 4
