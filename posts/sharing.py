"""Reads for sharing and linking: which @mentions in a text link to someone (people the viewer may see),
and whether a post may carry link-preview tags (anyone, signed out, may see it). Used by
`posts.selectors` (post page, cards, comments) and social's profile page (the bio)."""

from __future__ import annotations

from django.db.models import (
    Aggregate,
    BooleanField,
    CharField,
    ExpressionWrapper,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Lower

from accounts.models import User

from .models import Post, PostMention, post_visible_q
from .text import parse_mentions


def with_public_preview(qs: QuerySet[Post]) -> QuerySet[Post]:
    """Posts with `public_preview`: whether anyone, signed out, may see the post
    (`Post.objects.visible_to(None)`'s rule as a column of the same read, on the author it joins):
    only such a post's page carries link-preview tags (Open Graph), whose image URL is not signed."""
    return qs.annotate(public_preview=ExpressionWrapper(post_visible_q(None), output_field=BooleanField()))


class _JoinedNames(Aggregate):
    """The group's values joined by spaces (GROUP_CONCAT on SQLite and MySQL, STRING_AGG elsewhere)."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ' ')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, function="GROUP_CONCAT", **extra)

    def as_mysql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, function="GROUP_CONCAT",
                           template="%(function)s(%(expressions)s SEPARATOR ' ')", **extra)


def with_mention_names(qs: QuerySet[Post], viewer) -> QuerySet[Post]:
    """Posts with `mention_names`: the lower-case names of the people their caption mentions whose
    profile the viewer may see (the stored `Post.mentions`, `User.objects.visible_to`: active, no
    block either way), space-joined, or None. A column of the same query (a correlated subquery on the
    mentions' unique (post, user) index), so a page of cards costs no query for it; the caption
    links exactly these (`{{ post.caption|caption_html:post }}`), never to a profile that is a 404."""
    names = (
        PostMention.objects.filter(post_id=OuterRef("pk"), user_id__in=User.objects.visible_to(viewer).values("pk"))
        .values("post_id")
        .annotate(names=_JoinedNames(Lower("user__username")))
        .values("names")
    )
    return qs.annotate(mention_names=Subquery(names))


def known_mentions(*texts: str, viewer) -> frozenset[str]:
    """The lower-case names @mentioned in `texts` of people whose profile the viewer may see
    (`User.objects.visible_to`): the mentions to link (`render_caption`). One query, and none when
    no text mentions anyone."""
    names = {name for text in texts if text and "@" in text for name in parse_mentions(text)}
    if not names:
        return frozenset()
    rows = User.objects.visible_to(viewer).by_username(*names).values_list("username", flat=True)
    return frozenset(name.lower() for name in rows)
