from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from oauth2_provider.models import AbstractApplication

from . import visibility
from .usernames import lookup_key
from .validators import validate_username


class UserQuerySet(models.QuerySet):
    def by_username(self, *usernames: str):
        """Rows named by any of `usernames`, compared the way the unique constraint compares them
        (`Lower("username")`), so one name finds at most one row. Never `username__iexact`: on
        PostgreSQL that is `UPPER() = UPPER()`, and `UPPER('alıce') = 'ALICE'`. Names that cannot
        belong to anyone (not ASCII) are dropped; with none left the query is not run at all."""
        keys = sorted({key for name in usernames if (key := lookup_key(name))})
        if not keys:
            return self.none()
        qs = self.alias(username_lower=Lower("username"))
        return qs.filter(username_lower=keys[0]) if len(keys) == 1 else qs.filter(username_lower__in=keys)

    # The visibility rule (accounts.visibility, where it is written once) as queryset filters.
    def visible_to(self, viewer):
        """People whose profile header the viewer may see: active, no block either way."""
        return self.filter(visibility.visible_profiles_q(viewer))

    def content_visible_to(self, viewer):
        """People whose posts the viewer may see: also public, the viewer, or followed."""
        return self.filter(visibility.visible_authors_q(viewer, prefix=""))

    def with_content_visible_to(self, viewer):
        """Each person annotated with `content_visible`: whether the viewer may see their posts and
        people lists (the rule of `content_visible_to`, as a column: a profile page learns it in the
        same query that finds the person)."""
        rule = models.ExpressionWrapper(visibility.visible_authors_q(viewer, prefix=""), output_field=models.BooleanField())
        return self.annotate(content_visible=rule)

    def with_content_public(self):
        """Each person annotated with `content_public`: whether anyone, signed out, may see their
        posts (`with_content_visible_to(None)`'s rule): only then may a page preview them."""
        rule = models.ExpressionWrapper(visibility.visible_authors_q(None, prefix=""), output_field=models.BooleanField())
        return self.annotate(content_public=rule)

    def audience_of(self, author):
        """People who may see `author`'s posts (the rule read the other way: who a mention may
        notify)."""
        return self.filter(visibility.audience_q(author))


class InstacloneUserManager(UserManager.from_queryset(UserQuerySet)):
    def get_by_natural_key(self, username):
        # Used by Django's ModelBackend (password login by username), createsuperuser and loaddata.
        return self.by_username(username).get()


class User(AbstractUser):
    username = models.CharField(
        max_length=30,
        unique=True,
        validators=[validate_username],
        help_text="Letters, numbers, periods and underscores; 30 characters at most.",
        error_messages={"unique": "A user with that username already exists."},
    )
    email = models.EmailField("email address")
    display_name = models.CharField("name", max_length=64, blank=True)
    bio = models.TextField(max_length=150, blank=True)
    website = models.URLField(max_length=200, blank=True)
    # Name of the processed square avatar in the default storage; empty means the default avatar.
    avatar = models.CharField(max_length=255, blank=True)
    is_private = models.BooleanField("private account", default=False)

    # Stored counters, updated with F() by the services that add or remove the rows they count.
    post_count = models.PositiveIntegerField(default=0)
    follower_count = models.PositiveIntegerField(default=0)
    following_count = models.PositiveIntegerField(default=0)
    # The day the person last used the site (written at most once a day: social's activity
    # middleware and sign-in); the home feed's fan-out skips people away for long. None: not known.
    last_active = models.DateField(null=True, blank=True)
    # Set when the person deletes their account (issue 15): deactivated at once (is_active False),
    # purged for good after ACCOUNT_DELETION_GRACE_DAYS unless they sign in and restore it.
    deletion_requested_at = models.DateTimeField(null=True, blank=True)
    # The purge's lease (accounts.services.deletion.account_purge): when the run now purging the
    # account started (or last renewed it). One run at a time; a lease older than
    # TASKS_STALE_AFTER belonged to a run that died and is taken over.
    purge_started_at = models.DateTimeField(null=True, blank=True)

    REQUIRED_FIELDS = ["email"]
    objects = InstacloneUserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("username"), name="accounts_user_username_ci_unique"),
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]
        indexes = [
            models.Index(fields=["date_joined"], name="accounts_user_joined_idx"),
        ]

    def __str__(self) -> str:
        return self.username

    @property
    def name(self) -> str:
        return self.display_name or self.username

    @property
    def avatar_url(self) -> str:
        from .avatars import avatar_url

        return avatar_url(self)

    def get_absolute_url(self) -> str:
        # Memoised on the instance: a feed page asks for the same author's URL several times a card.
        url = self.__dict__.get("_absolute_url")
        if url is None:
            from instaclone.links import link

            url = self.__dict__["_absolute_url"] = link("profile", self.username)
        return url


class Follow(models.Model):
    """An accepted follow. Graph rows live with the accounts they join so that every app can apply
    the visibility rule (accounts.visibility); the social app owns the services that write them."""

    follower = models.ForeignKey(User, on_delete=models.CASCADE, related_name="following_rows")
    followee = models.ForeignKey(User, on_delete=models.CASCADE, related_name="follower_rows")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "followee"], name="follow_unique"),
            models.CheckConstraint(condition=~models.Q(follower=models.F("followee")), name="follow_not_self"),
        ]
        indexes = [
            # followers list of a user, newest first (keyset on created, id)
            models.Index(fields=["followee", "-created", "-id"], name="follow_followee_created_idx"),
            models.Index(fields=["follower", "-created", "-id"], name="follow_follower_created_idx"),
        ]


class FollowRequest(models.Model):
    requester = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sent_follow_requests")
    target = models.ForeignKey(User, on_delete=models.CASCADE, related_name="follow_requests")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["requester", "target"], name="follow_request_unique"),
            models.CheckConstraint(condition=~models.Q(requester=models.F("target")), name="follow_request_not_self"),
        ]
        indexes = [models.Index(fields=["target", "-created", "-id"], name="followreq_target_created_idx")]


class Block(models.Model):
    blocker = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocking_rows")
    blocked = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocked_by_rows")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_unique"),
            models.CheckConstraint(condition=~models.Q(blocker=models.F("blocked")), name="block_not_self"),
        ]
        indexes = [models.Index(fields=["blocked", "blocker"], name="block_blocked_idx")]


class OAuthApplication(AbstractApplication):
    """A client app (a phone app, a script) registered through `POST /api/v1/apps`: django-oauth-
    toolkit's application plus what Mastodon's apps have, the scopes it may ask for (space-separated,
    checked by `accounts.oauth.validators`) and its website. The site's
    OAUTH2_PROVIDER_APPLICATION_MODEL; its migration runs before oauth2_provider's first."""

    scopes = models.CharField(max_length=500, default="read")
    website = models.URLField(max_length=200, blank=True)

    class Meta(AbstractApplication.Meta):
        swappable = "OAUTH2_PROVIDER_APPLICATION_MODEL"
        verbose_name = "API client app"
