"""The production static files storage, with `url()` worked out once per file and process.

WhiteNoise's manifest storage maps `css/base.css` to its hashed name on every `{% static %}`
(a manifest lookup, quoting and a urljoin: ~25 µs on the benchmark machine), and every page's
`<head>` names 36 files: about 1 ms of each page. The manifest is read when the storage is made and
does not change while the process runs, so the answer for a name never changes either; a settings
change in tests (STATIC_URL, STORAGES) makes Django build a new storage, with an empty memo.
"""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class ManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[tuple[str, bool], str] = {}

    def url(self, name, force=False):
        key = (name, force)
        url = self._urls.get(key)
        if url is None:
            url = self._urls[key] = super().url(name, force)
        return url
