"""Verify that every stored counter equals the rows it counts.

    python manage.py check_counters          # exit status 1 and a list of mismatches if any
    python manage.py check_counters --fix    # also set the wrong ones to the counted value

One query per counter (a correlated COUNT subquery compared with the stored column), so it runs in
seconds on the benchmark population.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from accounts.models import Follow, User
from posts.models import Collection, CollectionItem, Comment, Like, Post, PostMedia


def _count(model, fk: str, **where):
    rows = model.objects.filter(**{fk: OuterRef("pk")}, **where).order_by().values(fk).annotate(c=Count("*")).values("c")
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def counter_specs():
    """(model, stored field, expression of the true value)."""
    return [
        # Archived posts are off the profile and not counted (as on Instagram); nor are posts
        # hidden by moderators (social.moderation moves the counter when it hides or unhides).
        (User, "post_count", _count(Post, "author", is_archived=False, is_hidden=False)),
        (User, "follower_count", _count(Follow, "followee")),
        (User, "following_count", _count(Follow, "follower")),
        (Post, "like_count", _count(Like, "post")),
        (Post, "comment_count", _count(Comment, "post")),
        (Post, "media_count", _count(PostMedia, "post")),
        (Post, "has_video", Exists(PostMedia.objects.filter(post=OuterRef("pk"), kind=PostMedia.Kind.VIDEO))),
        (Collection, "item_count", _count(CollectionItem, "collection")),
    ]


def counter_mismatches(limit: int = 20) -> list[tuple[str, int, object, object]]:
    """Every (Model.field, pk, stored, actual) that disagrees; at most `limit` per counter."""
    found = []
    for model, field, expr in counter_specs():
        qs = (
            model.objects.annotate(actual=expr)
            .filter(~Q(**{field: F("actual")}))
            .order_by("pk")
            .values_list("pk", field, "actual")[:limit]
        )
        found += [(f"{model.__name__}.{field}", pk, stored, actual) for pk, stored, actual in qs]
    return found


def counters_fix() -> int:
    """Set every wrong counter to the counted value; returns how many rows changed."""
    changed = 0
    for model, field, expr in counter_specs():
        wrong = model.objects.annotate(actual=expr).filter(~Q(**{field: F("actual")})).values("pk")
        changed += model.objects.filter(pk__in=list(wrong.values_list("pk", flat=True))).update(**{field: expr})
    return changed


class Command(BaseCommand):
    help = "Check that stored counters (post, follower, following, like, comment, media counts) equal their rows."

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="set wrong counters to the counted value")

    def handle(self, *args, **opts):
        mismatches = counter_mismatches()
        if not mismatches:
            self.stdout.write(self.style.SUCCESS(
                f"All counters match their rows ({User.objects.count():,} users, {Post.objects.count():,} posts)."
            ))
            return
        for name, pk, stored, actual in mismatches:
            self.stdout.write(f"{name} of {pk}: stored {stored}, counted {actual}")
        if opts["fix"]:
            changed = counters_fix()
            self.stdout.write(self.style.WARNING(f"Fixed {changed} rows."))
            return
        raise CommandError(f"{len(mismatches)} counter(s) do not match their rows (run with --fix to repair).")
