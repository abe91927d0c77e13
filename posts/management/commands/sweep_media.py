"""Find stored media files that no row references, and rows whose file is missing.

    python manage.py sweep_media                       # report only
    python manage.py sweep_media --delete              # also delete orphans older than 60 minutes
    python manage.py sweep_media --delete --older-than 1440

With `--delete` it first deletes the client API's uploads never used in a post within a day
(`posts.services.media_drafts_expire`: the rows, and their files); younger uploads are referenced
and kept.

A request killed mid-upload (a worker timeout, a crash, a clean-up that ran out of time while
ImageKit was failing) can leave a file in storage with no row pointing at it. This lists every file
in the default storage (MEDIA_ROOT on disk, or IMAGEKIT_FOLDER through ImageKit's list API), then
reads what the database references: post media files, their renditions (local copies and video
posters), stories' files and posters, avatars and the shared default avatar. Files nobody references are orphans; with
`--delete` those older than the grace period (`--older-than`, minutes) are deleted, so uploads still
in flight (file written, row not yet committed) are left alone — among them a media task's web
video and renditions while it works (VIDEO_TRANSCODE_TIMEOUT, 10 minutes by default, is well inside
the default hour); a task that finds its post deleted removes its own files. Rows whose file is missing are only
reported: deleting content is a person's decision, not a sweep's.

Files are listed before references are read, so a row committed in between never makes its file
look orphaned. Run it from cron (e.g. daily with --delete); it prints one line per finding and a
summary.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError

from accounts.avatars import DEFAULT_AVATAR_NAME
from accounts.models import User
from instaclone.media.files import StorageError, list_stored_files
from posts.media_access import DIRECT_FOLDER, EXPORTS_FOLDER
from posts.models import ImportJob, MediaDraft, PostMedia
from posts.services import media_drafts_expire
from posts.stories.models import Story


def referenced_names() -> dict[str, str]:
    """Every stored name the database points at -> a description of who points at it."""
    refs: dict[str, str] = {DEFAULT_AVATAR_NAME: "the default avatar"}
    for pk, post_id, file, renditions in PostMedia.objects.values_list("pk", "post_id", "file", "renditions").iterator():
        if file:
            refs[file] = f"post {post_id} media {pk}"
        for name in (renditions or {}).values():
            if name:
                refs.setdefault(name, f"post {post_id} media {pk} rendition")
    for username, avatar in User.objects.exclude(avatar="").values_list("username", "avatar").iterator():
        refs[avatar] = f"avatar of {username}"
    for pk, owner_id, file in MediaDraft.objects.values_list("pk", "owner_id", "file").iterator():
        refs[file] = f"upload {pk} of user {owner_id}, not posted yet"
    for pk, owner_id, file in ImportJob.objects.exclude(file="").values_list("pk", "owner_id", "file").iterator():
        refs[file] = f"archive of import {pk} of user {owner_id}, still importing"
    for pk, author_id, *files in Story.objects.values_list("pk", "author_id", *Story.FILE_FIELDS).iterator():
        for name in Story.stored_names(*files):
            refs[name] = f"story {pk} of user {author_id}"
    return refs


class Command(BaseCommand):
    help = "List (and with --delete remove) stored media files no row references; report rows whose file is missing."

    def add_arguments(self, parser):
        parser.add_argument("--delete", action="store_true", help="Delete orphaned files older than --older-than.")
        parser.add_argument(
            "--older-than", type=int, default=60, metavar="MINUTES",
            help="Grace period: only files written at least this many minutes ago are deleted (default 60).",
        )

    def handle(self, *args, delete: bool, older_than: int, verbosity: int, **options):
        if older_than < 0:
            raise CommandError("--older-than must be 0 or more minutes.")
        cutoff = datetime.now(UTC) - timedelta(minutes=older_than)
        storage = default_storage
        if delete:
            expired = media_drafts_expire()
            if expired:
                self.stdout.write(f"deleted {expired} unused upload(s) older than a day")
        try:
            stored = dict(list_stored_files(storage))
        except StorageError as exc:
            raise CommandError(f"Could not list the stored files: {exc.message}") from exc
        refs = referenced_names()

        # Data archives (posts.media_access.EXPORTS_FOLDER) are social.exports' own files, deleted
        # when they expire (social.tasks.data_exports_expire); no post or avatar row points at them.
        # Direct-message photos (DIRECT_FOLDER) are social.messages' own, deleted with their message
        # (or its sender's purge); posts cannot read social's rows, so the sweep leaves them alone.
        social_files = (f"{EXPORTS_FOLDER}/", f"{DIRECT_FOLDER}/")
        orphans = sorted(name for name in stored if name not in refs and not name.startswith(social_files))
        missing = sorted((name, who) for name, who in refs.items() if name not in stored and name != DEFAULT_AVATAR_NAME)
        deleted = kept = failed = 0
        for name in orphans:
            written = stored[name]
            old_enough = written is not None and written <= cutoff
            when = written.strftime("%Y-%m-%d %H:%M UTC") if written else "unknown time"
            if delete and old_enough:
                try:
                    storage.delete(name)
                except (StorageError, OSError) as exc:
                    failed += 1
                    self.stderr.write(f"could not delete orphan {name}: {exc}")
                    continue
                deleted += 1
                self.stdout.write(f"deleted orphan {name} (written {when})")
            else:
                kept += 1
                note = "" if old_enough else f", newer than {older_than} min: kept"
                self.stdout.write(f"orphan {name} (written {when}{note})")
        for name, who in missing:
            self.stdout.write(f"missing {name} ({who})")
        self.stdout.write(
            f"{len(stored)} stored files, {len(orphans)} orphaned ({deleted} deleted, {kept} kept"
            f"{f', {failed} failed' if failed else ''}), {len(missing)} rows with a missing file."
        )
