"""Username rules shared by the model, the sign-up form and the admin."""

import re

from django.core.exceptions import ValidationError

# re.ASCII matters: without it, IGNORECASE lets `ı` (U+0131), `İ` (U+0130), `ſ` (U+017F) and the
# Kelvin sign (U+212A) match i, s and k, and those names look like (and on PostgreSQL upper-case to)
# somebody else's. See accounts/usernames.py.
USERNAME_RE = re.compile(r"[a-z0-9._]+", re.IGNORECASE | re.ASCII)

# Every first path segment the site uses, plus names people would mistake for staff. A username
# that equals one of these would shadow a route at /<username>/.
RESERVED_USERNAMES = frozenset(
    {
        "about", "accounts", "account", "admin", "administrator", "api", "app", "archive", "assets", "auth",
        "blog", "contact", "direct", "explore", "favicon.ico", "feed", "help", "home", "instaclone",
        "legal", "login", "logout", "media", "messages", "moderator", "moderators", "new",
        "notifications", "oauth", "p", "password", "post", "posts", "privacy", "reels", "register",
        "report", "reports", "robots.txt", "root", "saved", "search", "security", "settings",
        "signin", "signup", "social", "static", "staff", "stories", "support", "system", "tags",
        "terms", "u", "user", "users", "www",
    }
)


def validate_username(value: str) -> None:
    if not USERNAME_RE.fullmatch(value or ""):  # fullmatch: "$" would let a trailing newline in
        raise ValidationError(
            "Usernames can only use letters, numbers, underscores and periods, "
            "and only the English letters a–z.",
            code="invalid",
        )
    if value.startswith(".") or value.endswith(".") or ".." in value:
        raise ValidationError(
            "Usernames can't start or end with a period or have two periods in a row.",
            code="invalid",
        )
    if value.lower() in RESERVED_USERNAMES:
        raise ValidationError("This username isn't available.", code="reserved")
