"""Instaclone settings.

Everything that differs between a laptop and production comes from the environment; the defaults
are safe for local development (SQLite file, local-memory cache, console email, local media).
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
_DEV_SECRET = "django-insecure-dev-only-key-change-me-in-production-0123456789"  # noqa: S105 - development only; DEBUG=0 requires SECRET_KEY
SECRET_KEY = os.environ.get("SECRET_KEY") or (_DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG=0.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    # Otherwise every page would answer 400 with no hint why.
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS must be set when DEBUG=0, e.g. ALLOWED_HOSTS=instaclone.example "
        "(or ALLOWED_HOSTS=127.0.0.1,localhost to try production settings on this machine)."
    )
# Production serves HTTPS (redirect, HSTS, secure cookies). HTTPS=0 turns that off to try DEBUG=0
# locally over plain http; never use it on a public host.
HTTPS = env_bool("HTTPS", not DEBUG)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # First: daphne's runserver serves the ASGI application (HTTP and the live WebSocket) in one process.
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "django_tasks",
    "django_tasks_db",
    "oauth2_provider",
    "corsheaders",
    "channels",
    "instaclone",  # shared infrastructure: the worker command and the task helpers (no models)
    "accounts",
    "posts",
    "social",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise (static files need no policy), before everything that may answer or fail.
    "csp.middleware.CSPMiddleware",
    "instaclone.middleware.SecurityHeadersMiddleware",
    # Database unreachable -> a 503 page with Retry-After (before anything that reads the database).
    "instaclone.outages.DatabaseOutageMiddleware",
    # CORS for the client API's paths only (CORS_URLS_REGEX), before CommonMiddleware answers.
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "instaclone.middleware.MethodNotAllowedPageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.SessionLifetimeMiddleware",  # idle timeout and absolute lifetime
    "social.middleware.FeedActivityMiddleware",  # the user's last-active day, at most one UPDATE a day
    "allauth.usersessions.middleware.UserSessionsMiddleware",
]

ROOT_URLCONF = "instaclone.urls"
WSGI_APPLICATION = "instaclone.wsgi.application"
ASGI_APPLICATION = "instaclone.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "instaclone.context_processors.site",
                "social.context_processors.notifications",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; a busy timeout instead of "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    # A database that does not answer is a 503 page after this many seconds, never a hung worker.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        connect_timeout=int(os.environ.get("DB_CONNECT_TIMEOUT", "3")),
        # An open connection to a host that vanished (network partition, a dead machine) is dropped
        # within ~10 s instead of waiting for the kernel's default of minutes. libpq has no read
        # timeout, so a server *process* that freezes with its host up can still hold a request
        # until gunicorn's timeout.
        keepalives=1, keepalives_idle=5, keepalives_interval=2, keepalives_count=3, tcp_user_timeout=10_000,
    )
    # No parallel workers for our queries: every page reads a page of rows through indexes, and for
    # a person following 5,000 accounts the planner's cost estimate passed parallel_setup_cost and it
    # launched two workers for the feed query: 25 ms instead of 3.3 ms (EXPLAIN ANALYZE on the
    # benchmark dataset, bench/RESULTS.md). Set per connection, so the server's own default stays.
    _pg_options = DATABASES["default"]["OPTIONS"].get("options", "")
    DATABASES["default"]["OPTIONS"]["options"] = f"{_pg_options} -c max_parallel_workers_per_gather=0".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and sessions ---------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache with short timeouts and a back-off: while Redis is down or hung a
            # cache call answers "miss" at once and pages are served from the database.
            "BACKEND": "instaclone.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "instaclone"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REDIS_TIMEOUT = float(os.environ.get("REDIS_TIMEOUT", "0.3"))  # seconds per Redis connect / reply
REDIS_BACKOFF = float(os.environ.get("REDIS_BACKOFF", "5"))  # seconds without Redis after a failure
# Sessions live in the database only, with or without Redis. A cached copy (cached_db) would save
# one primary-key query per request, but a logout while Redis is hung cannot delete that copy, and
# the copy would bring the session back when Redis wakes up. The database is the one place a logout
# (or "sign out other sessions") always reaches, so a replayed cookie is dead at once.
SESSION_ENGINE = "accounts.sessions"  # Django's database engine, its read without the ORM's overhead

# --- Live updates (issue 16; instaclone/live.py) ---------------------------------------------
# Events (a new message, "seen", an unread badge) reach open pages over a WebSocket. Between app
# processes they travel through Redis (channels_redis); without Redis an in-memory layer serves the
# one process of `scripts/run.sh`. Publishing never blocks a request for longer than LIVE_TIMEOUT:
# the pages catch up from the database when the connection (re)opens, so a lost event costs
# nothing but a delay.
CHANNEL_LAYER_URL = os.environ.get("CHANNEL_LAYER_URL", REDIS_URL)
if CHANNEL_LAYER_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [CHANNEL_LAYER_URL],
                "prefix": os.environ.get("CHANNEL_LAYER_PREFIX", "instaclone:live"),
                "capacity": 200,
                "expiry": 30,
                "group_expiry": 86400,
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
LIVE_TIMEOUT = float(os.environ.get("LIVE_TIMEOUT", "0.5"))  # seconds a publish may take
LIVE_BACKOFF = float(os.environ.get("LIVE_BACKOFF", "5"))  # seconds without publishing after a failure
# The browser's side (static/js/live.js): LIVE_UPDATES=0 leaves the socket closed (a site served by a
# WSGI server alone; pages then poll the badges as before). On by default only where events can reach
# the sockets: with a Redis layer, or in development (one runserver process serves pages, socket and
# events). Without Redis in production the HTTP server, the socket server(s) and the task worker are
# separate processes and the in-memory layer would connect none of them (a system check warns when
# it is turned on there). A person may hold LIVE_MAX_CONNECTIONS sockets per app process (tabs); an
# open socket re-reads its session and renews its group every LIVE_SESSION_RECHECK seconds (idle
# timeout, suspension missed), and each socket process checks the layer with a round trip every
# LIVE_HEALTH_CHECK seconds (two failures in a row close its sockets: the pages reconnect and catch
# up); a socket's call to the layer may take LIVE_LAYER_TIMEOUT seconds. Logout,
# a password change and suspension close the sockets at once. While the socket is open the badges
# still refresh every LIVE_BADGE_POLL seconds (changes whose event reached no socket).
LIVE_UPDATES = env_bool("LIVE_UPDATES", bool(CHANNEL_LAYER_URL) or DEBUG)
LIVE_MAX_CONNECTIONS = int(os.environ.get("LIVE_MAX_CONNECTIONS", "20"))
LIVE_SESSION_RECHECK = float(os.environ.get("LIVE_SESSION_RECHECK", "300"))
LIVE_HEALTH_CHECK = float(os.environ.get("LIVE_HEALTH_CHECK", "10"))
LIVE_LAYER_TIMEOUT = float(os.environ.get("LIVE_LAYER_TIMEOUT", "5"))  # a socket's call to the layer
LIVE_BADGE_POLL = int(os.environ.get("LIVE_BADGE_POLL", "300"))

# --- Background tasks (instaclone/tasks.py) -------------------------------------------------
# Django's task API (the django-tasks backport). TASKS_BACKEND: "db" (the embedded default: a table
# in the site's database and `manage.py worker`, no extra service), "rq" (RQ on Redis: the default
# when REDIS_URL is set) or "immediate" (run inside the request, as before; the test suite's default).
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "rq" if REDIS_URL else "db")
if TASKS_BACKEND == "rq":
    if not REDIS_URL:
        raise ImproperlyConfigured("TASKS_BACKEND=rq needs REDIS_URL.")
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": os.environ.get("RQ_REDIS_URL", REDIS_URL), "DEFAULT_TIMEOUT": 900}}
    # django-rq's admin dashboard is left out: its views answer 500 to unknown queue, job and
    # worker ids and its token endpoint to any token when none is set. `manage.py tasks` shows
    # RQ's failures and re-runs them.
    RQ_SHOW_ADMIN_LINK = False
elif TASKS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A task that keeps failing on a transient error (database or network away) is tried this many times,
# waiting TASKS_RETRY_DELAY seconds, doubled each time (capped at 5 minutes).
TASKS_RETRIES = int(os.environ.get("TASKS_RETRIES", "5"))
TASKS_RETRY_DELAY = float(os.environ.get("TASKS_RETRY_DELAY", "2"))
# A task RUNNING for longer than this is taken to have lost its worker (killed, machine gone) and is
# put back in the queue by the scheduler; every task is idempotent, so a second run changes nothing
# twice. A restarted worker with the same --id requeues its own interrupted tasks at once.
TASKS_STALE_AFTER = int(os.environ.get("TASKS_STALE_AFTER", "900"))
# Periodic work the worker's scheduler enqueues: dotted task path -> every N seconds.
TASKS_PERIODIC = {
    "instaclone.tasks.tasks_requeue_stale": 300,
    "instaclone.tasks.tasks_prune_results": 86400,
    "accounts.tasks.sessions_clear_expired": 86400,
    "posts.tasks.media_sweep": 86400,
    "social.tasks.data_exports_expire": 3600,
    "accounts.tasks.accounts_purge_due": 86400,
    "posts.stories.tasks.stories_expire": 3600,
}
TASKS_KEEP_RESULTS_DAYS = int(os.environ.get("TASKS_KEEP_RESULTS_DAYS", "7"))

# Home feed (docs/feed.md). Fan-out runs in tasks of FEED_FANOUT_BATCH followers each. An author with
# more than FEED_FANOUT_MAX_FOLLOWERS followers is not fanned out: their posts are merged into
# followers' pages at read time, until they drop below FEED_FANOUT_MIN_FOLLOWERS (hysteresis).
# Followers not seen for FEED_ACTIVE_DAYS are skipped by fan-out; their feed is rebuilt on return.
FEED_FANOUT_BATCH = int(os.environ.get("FEED_FANOUT_BATCH", "1000"))
FEED_FANOUT_MAX_FOLLOWERS = int(os.environ.get("FEED_FANOUT_MAX_FOLLOWERS", "10000"))
FEED_FANOUT_MIN_FOLLOWERS = int(os.environ.get("FEED_FANOUT_MIN_FOLLOWERS", str(FEED_FANOUT_MAX_FOLLOWERS * 4 // 5)))
FEED_ACTIVE_DAYS = int(os.environ.get("FEED_ACTIVE_DAYS", "30"))
# "Download your information" (social/exports/, docs/export.md): an archive can be downloaded for
# DATA_EXPORT_DAYS days (then its file is deleted); a person may ask DATA_EXPORTS_PER_DAY times a day.
DATA_EXPORT_DAYS = int(os.environ.get("DATA_EXPORT_DAYS", "7"))
DATA_EXPORTS_PER_DAY = int(os.environ.get("DATA_EXPORTS_PER_DAY", "3"))
# The nav's unread badge asks the server this often (a cached count, social.selectors.unread_badge_count).
NOTIFICATIONS_POLL_SECONDS = int(os.environ.get("NOTIFICATIONS_POLL_SECONDS", "30"))

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "accounts.hashers.OwaspArgon2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# django-allauth (65.x setting names)
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm", "add_email": "accounts.forms.AddEmailForm"}
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_TIMEOUT = 15 * 60
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_MAX_ATTEMPTS = 3
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 3
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_UNIQUE_EMAIL = True
# Password reset and "email me a sign-in code" answer the same for any address: the same redirect
# and page; a registered address gets its link or code, any other address allauth's "no account
# here" notice (ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS, default True). Product decision: sign-up still says
# plainly that a username or email is taken (accounts.forms.SignupForm), as Instagram does; a
# username is public anyway, and sign-up is rate limited per IP.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_MAX_EMAIL_ADDRESSES = 2
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_USERNAME_MIN_LENGTH = 2
ACCOUNT_USERNAME_MAX_LENGTH = 30
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# "Remember me" is the person's choice (allauth shows the checkbox when this is None): unchecked, the
# session cookie ends when the browser closes; checked, it lasts SESSION_COOKIE_AGE and is renewed
# while used. Either way accounts.middleware.SessionLifetimeMiddleware enforces both limits below.
ACCOUNT_SESSION_REMEMBER = None
DAY_SECONDS = 24 * 60 * 60
# Signed out after this long without a request (default 30 days, like staying signed in on a phone).
SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_TIMEOUT", 30 * DAY_SECONDS))
# Signed out this long after signing in, however active (default 90 days).
SESSION_ABSOLUTE_LIFETIME = int(os.environ.get("SESSION_ABSOLUTE_LIFETIME", 90 * DAY_SECONDS))
# "Last seen" is saved at most this often (a session write), so idle time is measured to within it.
SESSION_ACTIVITY_RESOLUTION = int(os.environ.get("SESSION_ACTIVITY_RESOLUTION", 5 * 60))
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT  # a remembered cookie (and its session row) outlive idleness by no more
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if HTTPS else "http"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Instaclone] "
ACCOUNT_RATE_LIMITS = {
    # allauth's defaults, stated here so they are visible; all are backed by the cache (Redis).
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reset_password": "20/m/ip,5/m/key",
    "reauthenticate": "10/m/user",
    "reset_password_from_key": "20/m/ip",
    "signup": "20/m/ip",
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "confirm_email": "1/3m/key",
}
# Client address behind a proxy (accounts.ratelimits.client_ip, used by every per-IP limit).
# TRUSTED_PROXY_COUNT: how many proxies you run in front of the app, each appending to
# X-Forwarded-For (1 for one nginx/load balancer); 0 (default) ignores X-Forwarded-For entirely, so
# a client cannot choose its own address. TRUSTED_CLIENT_IP_HEADER: a header your proxy sets to the
# client address instead (X-Real-IP, CF-Connecting-IP); never set it without such a proxy.
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", 0))
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = os.environ.get("TRUSTED_CLIENT_IP_HEADER") or None
# Deleting your account (issue 15, accounts/services/deletion.py): deactivated at once, restorable by
# signing in for this many days, then purged for good by the daily accounts.tasks.accounts_purge_due.
ACCOUNT_DELETION_GRACE_DAYS = int(os.environ.get("ACCOUNT_DELETION_GRACE_DAYS", "30"))
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Instaclone"
# Sessions are recorded at sign-in. Tracking every request would add a write (and 2 queries) to each
# page view; "last seen" is not worth that on a feed we want flat.
USERSESSIONS_TRACK_ACTIVITY = False

# --- Client API (Mastodon-compatible, issue 14: instaclone/api.py, accounts/oauth/, social/api/) --
# django-oauth-toolkit is the OAuth 2 server; the client app model adds Mastodon's per-app scopes.
OAUTH2_PROVIDER_APPLICATION_MODEL = "accounts.OAuthApplication"
# The scopes and what each lets an app do, in the words the consent page and the apps page show.
_API_SCOPES = {
    "read": "See everything on your account: your posts, profile, followers, likes, saved posts and notifications",
    "write": "Change everything on your account: post, comment, like, save, follow and edit your profile",
    "follow": "Follow, unfollow and block people, and see who you follow and block",
    "push": "Send you push notifications",
    "read:accounts": "See your profile and other people's",
    "read:blocks": "See who you block",
    "read:bookmarks": "See your saved posts",
    "read:favourites": "See the posts you like",
    "read:follows": "See who you follow and who follows you",
    "read:lists": "See your lists",
    "read:mutes": "See who you mute",
    "read:notifications": "See your notifications",
    "read:search": "Search on your behalf",
    "read:statuses": "See posts and comments, including your feed",
    "write:accounts": "Edit your profile",
    "write:blocks": "Block and unblock people",
    "write:bookmarks": "Save and unsave posts",
    "write:conversations": "Change your conversations",
    "write:favourites": "Like and unlike posts",
    "write:follows": "Follow and unfollow people, and answer follow requests",
    "write:lists": "Change your lists",
    "write:media": "Upload photos and videos",
    "write:mutes": "Mute and unmute people",
    "write:notifications": "Dismiss your notifications",
    "write:reports": "Report posts and people",
    "write:statuses": "Post, comment and delete your posts and comments",
}


def _pkce_required(client_id: str) -> bool:
    """PKCE (S256) is required from public clients, optional for the confidential ones
    POST /api/v1/apps registers (Mastodon apps, many of which do not send it)."""
    from accounts.oauth.validators import pkce_required

    return pkce_required(client_id)


OAUTH2_PROVIDER = {
    "SCOPES": _API_SCOPES,
    "DEFAULT_SCOPES": ["read"],
    # accounts/oauth/: apps may ask only for the scopes they registered; grants are the
    # authorization code (PKCE S256; required for public clients) and client credentials, nothing
    # else (no password, implicit, device or refresh grant is routed or validated); JSON bodies too.
    "OAUTH2_VALIDATOR_CLASS": "accounts.oauth.validators.OAuth2Validator",
    "OAUTH2_SERVER_CLASS": "accounts.oauth.server.Server",
    "OAUTH2_BACKEND_CLASS": "accounts.oauth.server.FormOrJsonOAuthLibCore",
    "PKCE_REQUIRED": _pkce_required,  # per client: required from public clients
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,  # S256 only, never "plain"
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    # Tokens only in the Authorization header (or a form body), never in a URL's query string.
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    # RFC 9207: the authorization response names its issuer (`iss`), as the metadata does.
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    # No refresh tokens are issued; were one ever replayed, its whole family would be revoked.
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    # Redirects: https; plain http only to a loopback address (RFC 8252: a native app's local
    # server), which accounts.oauth.services.app_create checks at registration; the out-of-band
    # URN and an app's own scheme are the app's registered ones (accounts.oauth.views.AuthorizeView).
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
    # Mastodon's tokens never expire and there is no refresh token: ours last ten years, until
    # revoked (by the app, on the Apps page, a password change, "sign out other sessions", or
    # suspension). The consent page is shown every time (REQUEST_APPROVAL_PROMPT "force").
    "ACCESS_TOKEN_EXPIRE_SECONDS": 10 * 365 * 24 * 3600,
    # Ten minutes to copy an out-of-band code into an app (Mastodon's lifetime too).
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 600,
    "REQUEST_APPROVAL_PROMPT": "force",
    # Tokens are stored as their SHA-256 checksum only (RFC 9700): a database leak leaks no token.
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
}
# Redirect URIs an app may register (accounts.oauth.services.app_create): https, http to a loopback
# address, the out-of-band URN and a native app's own scheme (RFC 8252, "myapp://oauth"); never these.
OAUTH_REFUSED_REDIRECT_SCHEMES = ("javascript", "data", "vbscript", "file", "blob", "about", "ftp", "ws", "wss")
# Per client address: apps registered (POST /api/v1/apps) and accounts created
# (POST /api/v1/accounts), as (limit, seconds). Mastodon's sign-up limit is 5 per 30 minutes.
API_APP_REGISTRATION_RATE_LIMIT = (int(os.environ.get("API_APP_REGISTRATION_RATE_LIMIT", "20")), 3600)
API_SIGNUP_RATE_LIMIT = (int(os.environ.get("API_SIGNUP_RATE_LIMIT", "5")), 1800)
# What a user's token may do is also up to accounts: until their email is confirmed only the
# endpoints marked `unconfirmed=True` (verify_credentials) answer (instaclone/api.py).
API_USER_CHECK = "accounts.oauth.checks.user_api_refusal"
# How the API reads a client address for its per-address limits (the sign-in lockout's, proxy-aware).
API_CLIENT_IP = "accounts.ratelimits.client_ip"
# "Sign out other sessions" ends the app tokens too (accounts.oauth.sessions).
USERSESSIONS_ADAPTER = "accounts.oauth.sessions.UserSessionsAdapter"
# Requests per token (or per address without one) per window of seconds: (limit, seconds).
API_RATE_LIMIT = (int(os.environ.get("API_RATE_LIMIT", "300")), 300)
CORS_URLS_REGEX = r"^/(api/|oauth/token|oauth/revoke|\.well-known/oauth-authorization-server|nodeinfo/)"
CORS_ALLOW_ALL_ORIGINS = True  # bearer tokens, never cookies: any web client may call the API
CORS_EXPOSE_HEADERS = ["Link", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"]

# --- Email ----------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Instaclone <no-reply@instaclone.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation -------------------------------------------------------------------
FORMS_URLFIELD_ASSUME_HTTPS = True
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
# English only for now; turning translation off saves ~15% of a feed render (bench/RESULTS.md).
USE_I18N = False
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

IMAGEKIT_PRIVATE_KEY = os.environ.get("IMAGEKIT_PRIVATE_KEY", "")
IMAGEKIT_PUBLIC_KEY = os.environ.get("IMAGEKIT_PUBLIC_KEY", "")
IMAGEKIT_URL_ENDPOINT = os.environ.get("IMAGEKIT_URL_ENDPOINT", "")
# Where the SDK sends API calls; unset means ImageKit's own API. Tests point it at a local fake.
IMAGEKIT_API_BASE_URL = os.environ.get("IMAGEKIT_API_BASE_URL", "")
IMAGEKIT_UPLOAD_BASE_URL = os.environ.get("IMAGEKIT_UPLOAD_BASE_URL", "")
IMAGEKIT_FOLDER = os.environ.get("IMAGEKIT_FOLDER", "instaclone")
# Time budget for ImageKit (instaclone/media/imagekit.py), well inside gunicorn's 30 s timeout:
# seconds per network step, retries only when they fit, one budget for all calls of a request,
# short clean-up calls after it, and how long an outage makes calls fail fast (circuit breaker).
IMAGEKIT_TIMEOUT = float(os.environ.get("IMAGEKIT_TIMEOUT", 5))
IMAGEKIT_MAX_RETRIES = int(os.environ.get("IMAGEKIT_MAX_RETRIES", 1))
IMAGEKIT_REQUEST_BUDGET = float(os.environ.get("IMAGEKIT_REQUEST_BUDGET", 15))
IMAGEKIT_CLEANUP_TIMEOUT = float(os.environ.get("IMAGEKIT_CLEANUP_TIMEOUT", 2))
IMAGEKIT_CLEANUP_GRACE = float(os.environ.get("IMAGEKIT_CLEANUP_GRACE", 5))
IMAGEKIT_FAILURE_COOLDOWN = float(os.environ.get("IMAGEKIT_FAILURE_COOLDOWN", 30))
# Private accounts' media URLs expire after this many seconds (rounded up to a sixth of it).
PRIVATE_MEDIA_URL_TTL = int(os.environ.get("PRIVATE_MEDIA_URL_TTL", 3600))
IMAGEKIT_ENABLED = bool(IMAGEKIT_PRIVATE_KEY and IMAGEKIT_URL_ENDPOINT)
SERVE_MEDIA = env_bool("SERVE_MEDIA", not IMAGEKIT_ENABLED)

STORAGES = {
    "default": {
        "BACKEND": (
            "instaclone.media.storage.ImageKitStorage"
            if IMAGEKIT_ENABLED
            else "django.core.files.storage.FileSystemStorage"
        ),
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "instaclone.staticfiles.ManifestStaticFilesStorage"  # WhiteNoise, url() memoised
        ),
    },
}

# Upload limits (bytes / pixels). The web server in front must allow at least MAX_UPLOAD_BYTES.
AVATAR_MAX_BYTES = int(os.environ.get("AVATAR_MAX_BYTES", 10 * 1024 * 1024))
IMAGE_MAX_BYTES = int(os.environ.get("IMAGE_MAX_BYTES", 20 * 1024 * 1024))
VIDEO_MAX_BYTES = int(os.environ.get("VIDEO_MAX_BYTES", 100 * 1024 * 1024))
# Every video is probed by ffprobe (a real video stream, sane size and duration) or refused; without
# ffprobe videos are refused. The probes of one post share one budget in seconds (in the request).
FFPROBE_PATH = os.environ.get("FFPROBE_PATH", "ffprobe")
FFMPEG_PATH = os.environ.get("FFMPEG_PATH", "ffmpeg")
VIDEO_MAX_SECONDS = float(os.environ.get("VIDEO_MAX_SECONDS", 15 * 60))
VIDEO_PROBE_TIMEOUT = float(os.environ.get("VIDEO_PROBE_TIMEOUT", 10))
# Videos are transcoded to a web MP4 by a background task (posts.tasks) within this many seconds;
# keep it under TASKS_STALE_AFTER (and RQ's job timeout), or a long transcode is taken for a dead one.
VIDEO_TRANSCODE_TIMEOUT = float(os.environ.get("VIDEO_TRANSCODE_TIMEOUT", 600))
if VIDEO_TRANSCODE_TIMEOUT + 120 > TASKS_STALE_AFTER:  # one video per task run, plus its poster and storage
    raise ImproperlyConfigured("VIDEO_TRANSCODE_TIMEOUT must stay at least 120 s under TASKS_STALE_AFTER.")
# Pixels decoded at full size: PNG (and JPEG after its 1/2-1/8 scaled decode) up to this, WebP a
# quarter, HEIC half (their decoders hold more full-size buffers). 32 MP keeps the largest accepted
# image of every format under ~200 MB of worker memory (bench/RESULTS.md "Upload memory"); JPEGs from
# 48-50 MP phone cameras still pass (they decode at half size, up to Pillow's own 89 MP bomb check).
IMAGE_MAX_PIXELS = int(os.environ.get("IMAGE_MAX_PIXELS", 32_000_000))
IMAGE_MAX_EDGE = int(os.environ.get("IMAGE_MAX_EDGE", 2160))
AVATAR_SIZE = 320
POST_MAX_MEDIA = int(os.environ.get("POST_MAX_MEDIA", 10))
# New posts per author (allauth's rate format: "amount/period", periods s/m/h/d, comma-separated for
# several). Counted in the cache; fails open while Redis is down.
POST_CREATE_RATE = os.environ.get("POST_CREATE_RATE", "30/h")
# A whole new-post request larger than this is refused before its body is read (413).
POST_MAX_REQUEST_BYTES = int(os.environ.get("POST_MAX_REQUEST_BYTES", 300 * 1024 * 1024))
# Stories (posts/stories/): a photo or a video of at most STORY_VIDEO_MAX_SECONDS that lives
# STORY_LIFETIME_HOURS; at most STORIES_PER_DAY added a person in any 24 hours (deleted ones count).
STORY_VIDEO_MAX_SECONDS = float(os.environ.get("STORY_VIDEO_MAX_SECONDS", 60))
STORY_LIFETIME_HOURS = int(os.environ.get("STORY_LIFETIME_HOURS", 24))
STORIES_PER_DAY = int(os.environ.get("STORIES_PER_DAY", 100))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Settings → Import (posts/imports): an Instagram or Instaclone ZIP of at most IMPORT_MAX_ZIP_BYTES
# (the web server in front must allow it), at most IMPORT_MAX_MEMBERS files unpacking to at most
# IMPORT_MAX_UNCOMPRESSED_BYTES, no member growing more than IMPORT_MAX_RATIO times (ZIP bombs); each
# photo or video then meets the limits above. A task run imports for IMPORT_RUN_SECONDS, then queues
# the next (well under TASKS_STALE_AFTER).
# On ImageKit the upload is stored there while its job runs, read whole into memory by ImageKitStorage
# on the way in and by each task run: a lower default keeps a web worker's memory and time in bounds.
IMPORT_MAX_ZIP_BYTES = int(os.environ.get("IMPORT_MAX_ZIP_BYTES", 200 * 1024**2 if IMAGEKIT_ENABLED else 2 * 1024**3))
IMPORT_MAX_MEMBERS = int(os.environ.get("IMPORT_MAX_MEMBERS", 20_000))
IMPORT_MAX_UNCOMPRESSED_BYTES = int(os.environ.get("IMPORT_MAX_UNCOMPRESSED_BYTES", 8 * 1024**3))
IMPORT_MAX_RATIO = int(os.environ.get("IMPORT_MAX_RATIO", 100))
IMPORT_MAX_JSON_BYTES = int(os.environ.get("IMPORT_MAX_JSON_BYTES", 50 * 1024 * 1024))
# The posts files' JSON in all (every posts_N.json and reels.json together), the posts one archive may
# hold (counted while reading), and the pixels of all its photos together (read from each photo's
# header as the task reaches it; IMAGE_MAX_PIXELS still bounds each photo).
IMPORT_MAX_POSTS = int(os.environ.get("IMPORT_MAX_POSTS", 10_000))
IMPORT_MAX_TOTAL_PIXELS = int(os.environ.get("IMPORT_MAX_TOTAL_PIXELS", 2_000_000_000))
IMPORT_MAX_ERRORS = 500  # error lines kept per job
IMPORT_RUN_SECONDS = float(os.environ.get("IMPORT_RUN_SECONDS", 240))

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "instaclone.views.csrf_failure"  # a 403 in the site's layout ("reload the page")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"


def _origin_path(url: str) -> list[str]:
    """A CSP source for an absolute URL prefix (scheme, host and path, ending in '/'); [] otherwise."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return []
    return [f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}/"]


# Content-Security-Policy (django-csp 4). Scripts only from this site and only with the per-response
# nonce (no inline handlers anywhere: behaviour lives in static/js, htmx runs without eval); no inline
# styles; images and videos from this site, data:/blob: (TOTP QR code, upload previews) and the
# ImageKit endpoint or an absolute MEDIA_URL when configured. CSP_REPORT_URI adds a report-uri.
_MEDIA_SOURCES = _origin_path(IMAGEKIT_URL_ENDPOINT) + _origin_path(MEDIA_URL)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:", *_MEDIA_SOURCES],
        "media-src": ["'self'", "blob:", *_MEDIA_SOURCES],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        **({"report-uri": [os.environ["CSP_REPORT_URI"]]} if os.environ.get("CSP_REPORT_URI") else {}),
    },
}
if HTTPS:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
