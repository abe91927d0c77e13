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
# copy (stories/posters/<stem>.jpg beside stories/videos/<stem>.mp4, posts.stories.tasks).
STORIES_FOLDER = "stories"
_STORY_POSTER = re.compile(r"^stories/posters/([0-9a-f]{32})\.jpg$")
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
        # a private account's story (one indexed query on Story.file)
        poster = _STORY_POSTER.match(name)
        if poster:
            found = Q(file=f"{STORIES_FOLDER}/videos/{poster.group(1)}.mp4")
        else:  # a poster the storage had to rename is found by its own (unindexed) column
            found = Q(poster=name) if name.startswith(f"{STORIES_FOLDER}/posters/") else Q(file=name)
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
