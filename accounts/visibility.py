"""The one visibility rule: whose content may a viewer see?

This module is the only place the rule is written. Pages never call it directly (only querysets,
selectors and services import it: instaclone/tests/test_architecture.py): they start from
the queryset methods built on it — `User.objects.visible_to(viewer)` (profiles),
`Post.objects.visible_to(viewer)` and `Comment.objects.visible_to(viewer)` (content, which add the
content's own hidden-by-moderators flag) — or, for a row that points at a user or a post (a save, a
notification, a follow row), the `*_q(viewer, prefix)` filter those methods are made of. A second
code path that forgets a block or a private account is how photo sites leak, so there is no other.

A viewer may see an author's content when all of these hold:
- the author's account is active (suspended accounts are inactive);
- neither has blocked the other;
- the author is public, or is the viewer, or the viewer follows the author (accepted follow).
A profile header (name, avatar) needs only the first two.

The graph models are read through the app registry, not imported: `accounts.models`' querysets
call this module, and an import back would be a cycle.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models import Q


def _model(name: str):
    return apps.get_model("accounts", name)


def _is_signed_in(viewer) -> bool:
    return viewer is not None and getattr(viewer, "is_authenticated", False)


def _field(prefix: str, name: str) -> str:
    return f"{prefix}__{name}" if prefix else name


def _active_q(prefix: str) -> Q:
    return Q(**{_field(prefix, "is_active"): True})


# The subqueries the rule is made of (a user's block rows either way, their followees) depend only
# on the user's id, and a QuerySet used as a filter value is cloned, never changed, when a query is
# built from it. Building them costs more than the rest of a Q, and one page applies the rule to
# several queries, so a signed-in viewer's set is built once and kept on the viewer object (which
# lives for one request): SQL text, not data, so it cannot go stale.
_SUBQUERIES_ATTR = "_visibility_subqueries"


class _Subqueries(dict):
    """The built subqueries. Pickled (a user object put in a cache, say) it comes back empty, so
    pickling never runs them (pickling a QuerySet evaluates it)."""

    def __reduce__(self):
        return (_Subqueries, ())


def _subqueries(user_id: int, holder=None) -> dict:
    cached = getattr(holder, _SUBQUERIES_ATTR, None) if holder is not None else None
    if cached and cached["user_id"] == user_id:
        return cached
    block, follow = _model("Block"), _model("Follow")
    built = _Subqueries(
        user_id=user_id,
        blocked_by_user=block.objects.filter(blocker_id=user_id).values("blocked_id"),
        who_blocked_user=block.objects.filter(blocked_id=user_id).values("blocker_id"),
        followees=follow.objects.filter(follower_id=user_id).values("followee_id"),
    )
    if holder is not None:
        try:
            setattr(holder, _SUBQUERIES_ATTR, built)
        except AttributeError:  # an object that takes no attributes: build again next time
            pass
    return built


def followees_subquery(viewer):
    """`Follow.objects.filter(follower=viewer).values("followee_id")`, built once per viewer object."""
    return _subqueries(viewer.pk, viewer)["followees"]


def not_blocked_q(user_id: int, prefix: str = "", *, _holder=None) -> Q:
    """Users (at `prefix`, "" for User itself) with no block either way with user `user_id`."""
    field = _field(prefix, "pk")
    sub = _subqueries(user_id, _holder)
    return ~Q(**{f"{field}__in": sub["blocked_by_user"]}) & ~Q(**{f"{field}__in": sub["who_blocked_user"]})


def visible_authors_q(viewer, prefix: str = "author") -> Q:
    """Authors whose content the viewer may see: a Q for any model with a user foreign key at
    `prefix` ("" for User itself)."""
    field = _field(prefix, "pk")
    public = Q(**{_field(prefix, "is_private"): False})
    if not _is_signed_in(viewer):
        return _active_q(prefix) & public
    return (
        _active_q(prefix)
        & not_blocked_q(viewer.pk, prefix, _holder=viewer)
        & (public | Q(**{field: viewer.pk}) | Q(**{f"{field}__in": followees_subquery(viewer)}))
    )


def visible_profiles_q(viewer, prefix: str = "") -> Q:
    """Whose profile header (name, avatar) a viewer may see: active and not blocked either way.
    People lists, search, suggestions, commenters, likers and notification actors."""
    if not _is_signed_in(viewer):
        return _active_q(prefix)
    return _active_q(prefix) & not_blocked_q(viewer.pk, prefix, _holder=viewer)


def audience_q(author) -> Q:
    """The same rule read the other way: the users who may see `author`'s content (who a mention
    may notify). Active, no block either way, and the author is public, is them, or they follow
    the author."""
    may_see = Q(pk=author.pk) | Q(pk__in=_model("Follow").objects.filter(followee_id=author.pk).values("follower_id"))
    if not author.is_private:
        may_see = Q()
    return _active_q("") & not_blocked_q(author.pk) & may_see


def blocked_between(a_id: int, b_id: int) -> bool:
    """Whether either of two (existing) users blocked the other (one query)."""
    if a_id == b_id:
        return False
    return not _model("User").objects.filter(not_blocked_q(a_id), pk=b_id).exists()
