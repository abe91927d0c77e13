"""Reads for stories, every one through `Story.objects.visible_to(viewer)` (models.story_visible_q:
the accounts rule, not expired, not hidden but for its author and staff, a video in processing its
author's only).

- `story_tray`: the feed's row of rings, one query whatever the number of people;
- `person_stories`: one person's stories in order (the `/stories/<username>/` page and the viewer);
- `story_get_for_viewer` / `story_get_for_author`: the access-checked fetch (404 otherwise);
- `story_viewers_page`: who saw a story, for its author (keyset, newest first).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Case, Count, Exists, IntegerField, Max, OuterRef, Q, Value, When
from django.http import Http404

from accounts.models import Follow, User
from accounts.selectors import user_get_for_viewer
from accounts.visibility import visible_profiles_q
from instaclone.media.urls import file_url
from instaclone.pagination import Page, keyset_page

from .models import Story, StoryView

TRAY_SIZE = 100  # rings on the feed (Instagram's tray loads more as it scrolls; a hundred is plenty)
PERSON_MAX = 200  # one person's stories on a page (STORIES_PER_DAY bounds them well below)
VIEWERS_PAGE_SIZE = 50


@dataclass
class Ring:
    """One person in the tray: `unseen` of their `count` stories the viewer has not seen yet."""

    person: User
    latest: datetime
    count: int
    unseen: int

    @property
    def seen(self) -> bool:
        return self.unseen == 0


@dataclass
class Tray:
    own: Ring | None  # the viewer's own stories, if any (the tray shows "Your story" with "+" anyway)
    rings: list[Ring] = field(default_factory=list)  # followed people: unseen first, then seen; newest first


def story_tray(viewer: User, *, size: int = TRAY_SIZE) -> Tray:
    """The viewer's own ring and those of the people they follow who have stories the viewer may
    see. One query: the visible stories of the viewer and their followees, grouped by author with
    the newest story's time and how many of them the viewer has not seen (an EXISTS on
    storyview_viewer_story_idx per story), the author's name and avatar joined; the stories are
    found through story_author_expires_idx (author IN followees AND expires_at > now)."""
    followees = Follow.objects.filter(follower_id=viewer.pk).values("followee_id")
    seen = StoryView.objects.filter(viewer_id=viewer.pk, story_id=OuterRef("pk"))
    rows = (
        Story.objects.visible_to(viewer)
        .filter(Q(author_id=viewer.pk) | Q(author_id__in=followees))
        .values("author_id", "author__username", "author__display_name", "author__avatar")
        .annotate(latest=Max("created"), count=Count("pk"), unseen=Count("pk", filter=~Exists(seen)))
        .order_by(
            Case(When(author_id=viewer.pk, then=Value(0)), default=Value(1), output_field=IntegerField()),
            Case(When(unseen__gt=0, then=Value(0)), default=Value(1), output_field=IntegerField()),
            "-latest",
            "author_id",
        )[: size + 1]
    )
    own, rings = None, []
    for row in rows:
        person = User(
            pk=row["author_id"], username=row["author__username"], display_name=row["author__display_name"],
            avatar=row["author__avatar"],
        )
        ring = Ring(person, row["latest"], row["count"], row["unseen"])
        if person.pk == viewer.pk:
            own = ring
        elif len(rings) < size:
            rings.append(ring)
    return Tray(own, rings)


def _with_media(stories: list[Story], author: User) -> list[Story]:
    """Each story's URLs (`src`, `poster_src`): signed and expiring for a private author's, as posts'
    (instaclone.media.urls), and whether it `fills` the viewer; no query (the author is given)."""
    private = author.is_private
    for story in stories:
        story.author = author
        # a portrait picture (9:16 or close) fills the viewer's frame, as on Instagram; others are letterboxed
        story.fills = bool(story.width and story.height and story.width / story.height <= 0.75)
        story.src = file_url(story.file, private=private)
        story.poster_src = file_url(story.poster, private=private) if story.poster else ""
    return stories


def with_media_urls(story: Story) -> Story:
    """`src`, `poster_src` and `fills` on one story read elsewhere (with its `author`): the admin's
    report preview, which shows a reported story as stored."""
    return _with_media([story], story.author)[0]


def person_stories(viewer: User, username: str) -> tuple[User, list[Story]]:
    """The person named `username` and their stories the viewer may see, oldest first, each with
    `seen` (the viewer saw it). Two queries: the person (accounts' compiled profile read), the
    stories (story_author_expires_idx). 404 when the viewer may not see the person or none of
    their stories (none left, private and not followed, hidden, expired)."""
    person = user_get_for_viewer(viewer, username)
    seen = StoryView.objects.filter(viewer_id=viewer.pk, story_id=OuterRef("pk"))
    stories = list(
        Story.objects.visible_to(viewer)
        .filter(author_id=person.pk)
        .annotate(seen=Exists(seen))
        .order_by("created", "pk")[:PERSON_MAX]
    )
    if not stories:
        raise Http404("No stories to show.")
    return person, _with_media(stories, person)


def story_get_for_viewer(viewer: User, pk: int, username: str | None = None, *, published_only: bool = False) -> Story:
    """The story `pk` if the viewer may see it (and, when `username` is given, it is that person's),
    with its author and media URLs; 404 otherwise. `published_only`: not a hidden one, even for
    its author or staff (what may be reported). One query."""
    story = Story.objects.visible_to(viewer, published_only=published_only).select_related("author").filter(pk=pk).first()
    if story is None or (username is not None and story.author.username.lower() != username.lower()):
        raise Http404("No such story.")
    return _with_media([story], story.author)[0]


def story_get_for_author(viewer: User, pk: int, username: str | None = None) -> Story:
    """The viewer's own story `pk` (for its viewers list and deleting it); 404 for anyone else's,
    even one they may see."""
    story = story_get_for_viewer(viewer, pk, username)
    if story.author_id != viewer.pk:
        raise Http404("No such story.")
    return story


def story_viewers_page(story: Story, cursor: str | None, *, size: int | None = None) -> Page:
    """Who saw `story`, newest first (keyset on the view's created, id: storyview_story_created_idx),
    each a StoryView with its `viewer` joined. People the author may no longer see (a block either
    way, suspended or deactivated) are left out; `story.view_count` still counts them. One query."""
    views = (
        StoryView.objects.filter(story_id=story.pk)
        .filter(visible_profiles_q(story.author, "viewer"))
        .select_related("viewer")
    )
    return keyset_page(views, cursor, size or VIEWERS_PAGE_SIZE)

