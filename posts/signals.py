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
# story_ids: stories the hourly expiry is about to delete, sent in its transaction while the rows are
# still there (none has an open report: those wait); social keeps the handled reports on them
stories_expiring = Signal()
