"""Writes for posts and what people do to them, one module per entity: `posts.py` (create, edit,
delete), `likes.py`, `saves.py`, `comments.py`. Callers import the public names from here."""

from .comments import (
    COMMENT_MAX_LENGTH,
    MAX_MENTIONS_PER_COMMENT,
    comment_clean_body,
    comment_create,
    comment_delete,
)
from .likes import like_create, like_delete
from .posts import (
    ALT_TEXT_MAX_LENGTH,
    CAPTION_MAX_LENGTH,
    PostRateLimited,
    max_media,
    post_create,
    post_delete,
    post_update,
)
from .saves import save_create, save_delete

__all__ = [
    "ALT_TEXT_MAX_LENGTH",
    "CAPTION_MAX_LENGTH",
    "COMMENT_MAX_LENGTH",
    "MAX_MENTIONS_PER_COMMENT",
    "PostRateLimited",
    "comment_clean_body",
    "comment_create",
    "comment_delete",
    "like_create",
    "like_delete",
    "max_media",
    "post_create",
    "post_delete",
    "post_update",
    "save_create",
    "save_delete",
]
