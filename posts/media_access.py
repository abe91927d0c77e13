"""Who may fetch a stored media file without a signed URL (used by `instaclone.media.serving`).

A file belongs to a private account when a post of that account uses it as its media file or as
one of its renditions (local video posters are renditions too). Avatars and files no post uses are
public. This is one query per unsigned media request; browsers then keep public files for a year
(`immutable`), so each browser asks once per file.
"""

from __future__ import annotations

import json

from django.db.models import Q, TextField
from django.db.models.functions import Cast

from .models import PostMedia


def media_name_is_private(name: str) -> bool:
    """True when `name` is a private account's post media, a rendition or a poster of one."""
    # Renditions are {"320": name, ...}: digit keys are read as array indexes by Django's JSON key
    # lookups, so match the quoted name in the JSON text instead (works on SQLite and PostgreSQL).
    uses = Q(file=name) | Q(renditions_text__contains=json.dumps(name))
    return (
        PostMedia.objects.annotate(renditions_text=Cast("renditions", output_field=TextField()))
        .filter(uses, post__author__is_private=True)
        .exists()
    )
