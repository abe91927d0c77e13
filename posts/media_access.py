"""Who may fetch a stored media file without a signed URL (used by `instaclone.media.serving`).

A file belongs to a private account when a post of that account uses it as its media file or as
one of its renditions (local video posters are renditions too). Uploads waiting for their post
(`MediaDraft.FOLDER`, the client API's) and archives uploaded to import (`ImportJob.FOLDER`) are their owner's alone: always private, served only by
the signed URL the API hands its owner. A story's photo, video and poster are private when its
author is. Avatars and files no post uses are public. One indexed query per unsigned media request (none for avatars); browsers then keep public
files for a year (`immutable`), so each browser asks once per file.
"""

from __future__ import annotations

import json
import re

from django.db.models import Q, TextField
from django.db.models.functions import Cast

from instaclone.media.renditions import RENDITION_FOLDER

from .models import ImportJob, MediaDraft, PostMedia
from .stories.models import Story

# Renditions are stored as <RENDITION_FOLDER>/<stem of the original>-<n>.jpg (posts.services).
_RENDITION_NAME = re.compile(rf"^{re.escape(RENDITION_FOLDER)}/([0-9a-f]{{32}})-\d+\.jpg$")
_POST_FOLDERS = ("posts/images/", "posts/videos/")
# social.exports stores people's data archives here (social cannot be imported from posts); they
# are served only by their owner's download view, never by /media/.
EXPORTS_FOLDER = "exports"
# Stories (posts.stories): photos and videos under stories/, a video's poster named after its web
# copy (stories/posters/<stem>.jpg beside stories/videos/<stem>.mp4, posts.stories.tasks). Names are
# a random 32-hex stem (instaclone.media.files.unique_name), which a storage that finds the name
# taken extends with "_" and 7 letters or digits (Django's get_available_name): nothing else can be
# a story's file, so any other name under stories/ is answered without a query.
STORIES_FOLDER = "stories"
_SUFFIX = r"(?:_[A-Za-z0-9]{7})"
_STORY_FILE = re.compile(rf"^stories/(?:images|videos)/[0-9a-f]{{32}}{_SUFFIX}?\.[a-z0-9]{{3,4}}$")
_STORY_POSTER = re.compile(rf"^stories/posters/([0-9a-f]{{32}}{_SUFFIX}{{0,2}})\.jpg$")
# social.messages stores direct-message photos here: always private, shown to the conversation's
# members only through the signed, expiring URLs their pages get (never served unsigned).
DIRECT_FOLDER = "direct"


def _only_private_authors_use(media) -> bool:
    """One query: the privacy of every author whose post uses these media rows. A file is private
    when private accounts use it and no public post does (demo data shares files between posts;
    a file a public post shows is public anyway)."""
    privacy = set(media.values_list("post__author__is_private", flat=True).distinct()[:2])
    return privacy == {True}


def media_name_is_private(name: str) -> bool:
    """True when `name` is a private account's post media, a rendition or a poster of one, or an
    upload waiting for its post (no query)."""
    if name.startswith((f"{MediaDraft.FOLDER}/", f"{ImportJob.FOLDER}/")):  # uploads, imports' ZIPs
        return True
    if name.startswith(f"{EXPORTS_FOLDER}/"):
        return True  # a person's "Download your information" archive: only its download view sends it
    if name.startswith(f"{DIRECT_FOLDER}/"):
        return True  # a direct message's photo: its members' pages sign its URL
    if name.startswith(f"{STORIES_FOLDER}/"):
        # a private account's story: one query on Story.file's index, none for a name no story has
        poster = _STORY_POSTER.match(name)
        if poster:
            # named after its video's stem; a poster the storage renamed has one more suffix
            stem = poster.group(1)
            stems = [stem, stem[:-8]] if len(stem) > 32 else [stem]
            found = Q(file__in=[f"{STORIES_FOLDER}/videos/{each}.mp4" for each in stems], poster=name)
        elif _STORY_FILE.match(name):
            found = Q(file=name)
        else:
            return True  # not a name stories are stored under: private, so an unsigned request is a 404
        return Story.objects.filter(found, author__is_private=True).exists()
    if name.startswith(_POST_FOLDERS):
        return _only_private_authors_use(PostMedia.objects.filter(file=name))
    match = _RENDITION_NAME.match(name)
    if match:
        stem = match.group(1)
        originals = Q()
        for folder in _POST_FOLDERS:
            originals |= Q(file__startswith=f"{folder}{stem}.")
        return _only_private_authors_use(PostMedia.objects.filter(originals))
    if not name.startswith(f"{RENDITION_FOLDER}/"):
        return False  # avatars, the default avatar: public
    # Renditions stored before they were named after their original (random names): match the
    # quoted name in the JSON text (digit keys defeat Django's JSON key lookups). A scan, only for
    # those old files.
    return _only_private_authors_use(
        PostMedia.objects.annotate(renditions_text=Cast("renditions", output_field=TextField())).filter(
            renditions_text__contains=json.dumps(name)
        )
    )
