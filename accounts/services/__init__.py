"""Writes for accounts, split by entity: the profile (`profiles`) and the follow/request/block
graph (`graph`), deleting an account (`deletion`). Import from here or from the module."""

from .deletion import (
    AccountDeletionError,
    account_deletion_cancel,
    account_deletion_request,
    account_purge,
    accounts_due_for_purge,
    deletion_restorable,
    purge_due_at,
)
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
    "AccountDeletionError",
    "account_deletion_cancel",
    "account_deletion_request",
    "account_purge",
    "accounts_due_for_purge",
    "deletion_restorable",
    "purge_due_at",
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
