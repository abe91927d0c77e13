"""instaclone.staticfiles: the production static storage answers url() from its memo after the first
time, with WhiteNoise's hashed name."""

import json

from whitenoise.storage import CompressedManifestStaticFilesStorage

from instaclone.staticfiles import ManifestStaticFilesStorage


def test_url_is_the_hashed_name_and_asked_of_whitenoise_once(tmp_path, monkeypatch, settings):
    settings.STATIC_URL = "/static/"
    manifest = {"paths": {"css/base.css": "css/base.0123abcd.css"}, "version": "1.1", "hash": "x"}
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    storage = ManifestStaticFilesStorage(location=tmp_path, base_url="/static/")
    calls = []
    original = CompressedManifestStaticFilesStorage.url
    monkeypatch.setattr(CompressedManifestStaticFilesStorage, "url", lambda self, *a: calls.append(a) or original(self, *a))
    settings.DEBUG = False
    assert storage.url("css/base.css") == "/static/css/base.0123abcd.css"
    assert storage.url("css/base.css") == "/static/css/base.0123abcd.css"
    assert calls == [("css/base.css", False)]
