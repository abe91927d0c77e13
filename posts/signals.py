"""Domain events that posts' services send explicitly, inside their transaction, so that the social
app (which depends on posts, not the other way round) can write notifications in the same
transaction. Never connected to model save signals."""

from django.dispatch import Signal

# post: Post; mentioned: list[User] (already filtered to users who may see the post)
post_created = Signal()
# post: Post; mentioned: list[User] newly mentioned by an edit
post_mentions_added = Signal()
# like_user_id, post_id, author_id (the post's author; the liker may see the post, so no block
# stands between them)
post_liked = Signal()
# like_user_id, post_id, author_id (the like row is gone)
post_unliked = Signal()
# comment: Comment; mentioned: list[User]
comment_created = Signal()
# tag: PhotoTag (post and user loaded); first_in_post: no other item of the post tags that person
photo_tag_added = Signal()
# post_id, user_id, author_id; last_in_post: no item of the post tags that person any more
photo_tag_removed = Signal()
# post_id, author_id: a post being deleted (by its author, or through the client API), sent in
# post_delete's transaction while the post and its comments are still there; social keeps the
# reports on them (they would cascade away) on their authors
post_deleting = Signal()
# comment_id, post_id, by_id (its author, or the post's author): a comment being deleted, sent in
# comment_delete's transaction while the row is still there; social keeps the reports on it
comment_deleting = Signal()
# story_ids: stories past their 24 hours that the hourly expiry would delete now, sent in its
# transaction with the rows locked. A receiver returns the ids of those that must stay for now
# (social: an open report on them, until a moderator handles it); the expiry leaves them, invisible
# like any expired story, and asks again at its next run. posts knows nothing of why.
stories_expiry_hold = Signal()
# story_ids; reason: "expired" (the hourly expiry) or "deleted" (by its author): stories about to be
# deleted, sent in the deleting transaction while the rows are still there; social keeps the reports
# on them (they would cascade away with the rows) on their authors
stories_deleting = Signal()
