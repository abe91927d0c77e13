"""Import posts from an archive (issue 15): Instagram's "Download your information" ZIP (JSON
format) or an Instaclone export (docs/export.md).

- `archive.py`: the ZIP's safety checks (size, file count, what it unpacks to, unsafe names) and
  the parsed post (`ArchiveItem`) both formats produce;
- `instagram.py`, `instaclone.py`: each format's reader;
- `services.py`: start and cancel a job (the upload is checked in the request), and the per-item
  import the task runs (`posts.tasks.import_run`), through `posts.services.post_create`;
- `views.py`, `urls.py`: Settings → Import (`/settings/import/`).
"""
