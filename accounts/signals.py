"""Domain events that the follow graph's services (accounts/services/graph.py) send explicitly,
inside their transaction, after the graph rows and counters have changed. The social app (which
depends on accounts, not the other way round) connects receivers that keep the home feed and the
notifications in step, in the same transaction. Never connected to model save signals.

All arguments are user ids (ints), except `actor`/`target` where noted as User.
"""

from django.dispatch import Signal

# An accepted follow row was created (public follow, request accepted, account made public).
# follower_id, followee_id
follow_added = Signal()
# An accepted follow row was deleted (unfollow, follower removed, block). follower_id, followee_id
follow_removed = Signal()
# Someone followed a public account directly (not through a request). follower: User, followee: User
followed = Signal()
# A new follow request was made to a private account. requester: User, target: User
follow_requested = Signal()
# A follow request is gone or never was (cancelled, declined, block; sent even when no row was
# deleted, so that a left-over "requested to follow you" goes too). requester_id, target_id
follow_request_removed = Signal()
# A pending request became a follow (follow_added was sent just before). target: User, requester_id
follow_request_accepted = Signal()
# A block was made (or re-confirmed); the graph rows between the two are gone. blocker_id, blocked_id
block_created = Signal()

# --- Account deletion (accounts/services/deletion.py, issue 15) ---------------------------------
# The person asked to delete their account (or a superuser purges it at once): it was just
# deactivated, inside the transaction. Work the person started must stop (posts: their running
# imports are cancelled). user_id
account_deactivated = Signal()
# Sent by `account_purge`, OUTSIDE any transaction, while the account is inactive and past its grace
# period (or purged at once by a superuser). Receivers must be idempotent: a purge that stopped half
# way (a killed worker) is run again and each receiver continues where it was. Each works in small
# batches, one transaction a batch, so that a person with 50,000 likes needs no giant transaction.
# user_id
#
# First, before anything is deleted: what must outlive the person is detached from them (social:
# moderation reports about them or their content keep their row, target gone, without their data).
account_purge_started = Signal()
# Then each higher layer removes every row of theirs the person owns or appears in, fixing other
# people's counters as it goes, and deletes their files once each batch commits (posts: posts,
# media, likes, comments, saves, collections, tags, mentions, drafts; social: feed rows,
# notifications, data exports).
account_purging = Signal()
