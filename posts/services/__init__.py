"""Writes for posts and what people do to them, one module per entity: `posts.py` (create, edit,
delete), `likes.py`, `saves.py`, `comments.py`, `tags.py` (people tagged in photos), `media_drafts.py` (the client API's uploads ahead of their post). Callers import the public names from here."""

from .archive import ArchiveError, post_archive, post_unarchive
from .collections import (
    COLLECTION_NAME_MAX_LENGTH,
    CollectionError,
    collection_add_post,
    collection_create,
    collection_delete,
    collection_remove_post,
    collection_rename,
)
from .comments import (
    COMMENT_MAX_LENGTH,
    MAX_MENTIONS_PER_COMMENT,
    comment_clean_body,
    comment_create,
    comment_delete,
)
from .likes import like_create, like_delete
from .media_drafts import (
    MEDIA_DRAFT_MAX_AGE,
    MEDIA_DRAFTS_PENDING_MAX,
    MediaDraftError,
    media_draft_create,
    media_draft_update,
    media_drafts_expire,
    post_create_from_drafts,
)
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
from .tags import (
    MAX_TAGS_PER_MEDIA,
    PhotoTagError,
    photo_tag_add,
    photo_tag_remove,
    photo_tag_spot,
    photo_tags_remove_self,
)

__all__ = [
    "ALT_TEXT_MAX_LENGTH",
    "CAPTION_MAX_LENGTH",
    "COLLECTION_NAME_MAX_LENGTH",
    "COMMENT_MAX_LENGTH",
    "ArchiveError",
    "CollectionError",
    "MAX_MENTIONS_PER_COMMENT",
    "MAX_TAGS_PER_MEDIA",
    "PhotoTagError",
    "PostRateLimited",
    "collection_add_post",
    "collection_create",
    "collection_delete",
    "collection_remove_post",
    "collection_rename",
    "comment_clean_body",
    "comment_create",
    "comment_delete",
    "like_create",
    "like_delete",
    "MEDIA_DRAFT_MAX_AGE",
    "MEDIA_DRAFTS_PENDING_MAX",
    "MediaDraftError",
    "media_draft_create",
    "media_draft_update",
    "media_drafts_expire",
    "post_create_from_drafts",
    "max_media",
    "photo_tag_add",
    "photo_tag_remove",
    "photo_tag_spot",
    "photo_tags_remove_self",
    "post_archive",
    "post_create",
    "post_delete",
    "post_unarchive",
    "post_update",
    "save_create",
    "save_delete",
]
