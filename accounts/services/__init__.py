"""Writes for accounts, split by entity: the profile (`profiles`) and the follow/request/block
graph (`graph`). Import from here or from the module."""

from .graph import (
    NotVisibleError,
    RelationshipError,
    SelfActionError,
    block_create,
    block_delete,
    follow_create,
    follow_delete,
    follow_request_accept,
    follow_request_decline,
    follow_requests_accept_all,
    follower_remove,
)
from .profiles import profile_update

__all__ = [
    "NotVisibleError",
    "RelationshipError",
    "SelfActionError",
    "block_create",
    "block_delete",
    "follow_create",
    "follow_delete",
    "follow_request_accept",
    "follow_request_decline",
    "follow_requests_accept_all",
    "follower_remove",
    "profile_update",
]
