"""A fake ImageKit server for tests.

It stands in for ImageKit's cloud API, which these machines cannot reach: a real HTTP server
(stdlib `http.server` in a thread) on 127.0.0.1 and a free port, speaking the same paths, Basic-auth
header and JSON shapes as the real API for what our SDK calls use:

- `POST /api/v1/files/upload` (multipart: file, fileName, folder, useUniqueFileName, overwriteFile)
- `GET /v1/files` (list and search: `path`, `searchQuery` with `name = "..."`, `type`, `limit`, `skip`)
- `GET /v1/files/{fileId}/details`
- `DELETE /v1/files/{fileId}` (204, or 404 when the file does not exist)
- `GET /<url-endpoint path>/<filePath>`: the delivery CDN, serving the stored bytes (any `tr` ignored;
  `<video>/ik-thumbnail.jpg` serves the stored file). With `restrict_unsigned = True` it behaves like
  ImageKit's "Restrict unsigned URLs": a URL needs a valid `ik-s` signature (HMAC-SHA1 with the
  private key over the URL after the endpoint, plus `ik-t` or 9999999999), and an `ik-t` in the past
  is refused (401).

Every API call must carry `Authorization: Basic base64(<private key>:<password>)` with the private
key as the username, or it gets 401 like the real API. Switches: `outage()` makes every API call
answer 503, `hang()` makes every API call sleep longer than the client's timeout, `fail_next(n)`
fails only the next n calls, `heal()` goes back to normal. `requests` logs every call.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import io
import json
import re
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

URL_ENDPOINT_PATH = "/ik-endpoint"
_SAFE_FILE_NAME = re.compile(r"[^A-Za-z0-9._-]")
_SAFE_FOLDER = re.compile(r"[^A-Za-z0-9/_-]")
_NAME_QUERY = re.compile(r'^\s*name\s*(=|:)\s*"((?:[^"\\]|\\.)*)"\s*$')


@dataclass
class StoredFile:
    file_id: str
    name: str
    file_path: str
    content: bytes
    mime: str
    created_at: str
    width: int | None = None
    height: int | None = None

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def folder(self) -> str:
        return self.file_path.rsplit("/", 1)[0] + "/"


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    fields: dict[str, str] = field(default_factory=dict)  # multipart fields of an upload, file excluded
    status: int = 0


class FakeImageKit:
    def __init__(self, private_key: str = "private_test_key", public_key: str = "public_test_key"):
        self.private_key = private_key
        self.public_key = public_key
        self.files: dict[str, StoredFile] = {}
        self.requests: list[RecordedRequest] = []
        self.mode = "ok"  # "ok" | "outage" | "hang"
        self.restrict_unsigned = False
        self.clock = time.time  # the delivery's clock for `ik-t` (tests move it forward)
        self.hang_seconds = 3.0
        self.hang_times: int | None = None
        self.hang_then_store = False
        self.drip_interval: float | None = None  # send answers one byte per interval (see drip())
        self._fail_next = 0
        self._fail_after = 0
        self._lock = threading.RLock()
        self._wake = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> FakeImageKit:
        fake = self

        class Handler(_Handler):
            server_fake = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", _free_port()), Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-imagekit", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._wake.set()  # release hanging handlers
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "start() the fake first"
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url_endpoint(self) -> str:
        return f"{self.base_url}{URL_ENDPOINT_PATH}"

    # --- switches -------------------------------------------------------------------------

    def outage(self) -> None:
        self.mode = "outage"

    def hang(self, seconds: float = 3.0, *, times: int | None = None, then_store: bool = False) -> None:
        """Sleep `seconds` before answering the next `times` API calls (all when None). With
        `then_store`, the call is carried out first and only the answer is late, as when ImageKit
        stores an upload but the client gives up waiting."""
        self.hang_seconds = seconds
        self.hang_times = times
        self.hang_then_store = then_store
        self._wake.clear()
        self.mode = "hang"

    def drip(self, interval: float = 0.2) -> None:
        """Carry out every API call, then send the answer one byte every `interval` seconds: a
        server (or a congested link) that is slow but never silent, so no single read times out."""
        self.drip_interval = interval
        self._wake.clear()

    def fail_next(self, n: int = 1, *, after: int = 0) -> None:
        """Answer 503 to `n` API calls, after letting `after` calls through normally."""
        with self._lock:
            self._fail_after = after
            self._fail_next = n

    def _take_failure(self) -> bool:
        with self._lock:
            if self.mode == "outage":
                return True
            if self._fail_next <= 0:
                return False
            if self._fail_after > 0:
                self._fail_after -= 1
                return False
            self._fail_next -= 1
            return True

    def _take_hang(self) -> bool:
        with self._lock:
            if self.mode != "hang":
                return False
            if self.hang_times is None:
                return True
            if self.hang_times <= 0:
                self.mode = "ok"
                return False
            self.hang_times -= 1
            return True

    def heal(self) -> None:
        self.mode = "ok"
        self.drip_interval = None
        self._fail_next = self._fail_after = 0
        self._wake.set()

    # --- inspection -----------------------------------------------------------------------

    def paths(self) -> list[str]:
        with self._lock:
            return sorted(f.file_path for f in self.files.values())

    def file_at(self, file_path: str) -> StoredFile | None:
        with self._lock:
            return next((f for f in self.files.values() if f.file_path == file_path), None)

    def calls(self, method: str | None = None, path_prefix: str = "") -> list[RecordedRequest]:
        return [
            r for r in list(self.requests)
            if (method is None or r.method == method) and r.path.startswith(path_prefix)
        ]

    def uploads(self, folder: str = "") -> list[RecordedRequest]:
        """Upload calls, optionally only those into `folder` (e.g. "/instaclone-test/posts")."""
        return [
            r for r in self.calls("POST", "/api/v1/files/upload") if r.fields.get("folder", "").startswith(folder)
        ]

    # --- API behaviour (called from handler threads) ---------------------------------------

    def _upload(self, fields: dict[str, str], upload: tuple[str, bytes, str] | None):
        if upload is None and "file" not in fields:
            return 400, {"message": "Missing file parameter for upload", "help": "For support kindly contact us at support@imagekit.io ."}
        if not fields.get("fileName"):
            return 400, {"message": "Missing fileName parameter for upload", "help": ""}
        content = upload[1] if upload else fields["file"].encode()
        mime = upload[2] if upload else "application/octet-stream"
        name = _SAFE_FILE_NAME.sub("_", fields["fileName"])
        folder = "/" + _SAFE_FOLDER.sub("_", fields.get("folder", "/")).strip("/")
        folder = folder.rstrip("/") + "/"
        if fields.get("useUniqueFileName", "true") != "false":  # ImageKit's default is true
            stem, dot, ext = name.rpartition(".")
            suffix = uuid.uuid4().hex[:9]
            name = f"{stem}_{suffix}{dot}{ext}" if dot else f"{name}_{suffix}"
        file_path = folder + name
        with self._lock:
            existing = self.file_at(file_path)
            if existing is not None:
                if fields.get("overwriteFile", "true") == "false":
                    return 400, {"message": f"A file with the same name already exists at {file_path}.", "help": ""}
                del self.files[existing.file_id]
            width, height = _image_size(content)
            stored = StoredFile(
                file_id=uuid.uuid4().hex[:24],
                name=name,
                file_path=file_path,
                content=content,
                mime=mime,
                created_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
                width=width,
                height=height,
            )
            self.files[stored.file_id] = stored
        body = {
            "fileId": stored.file_id,
            "name": stored.name,
            "size": stored.size,
            "versionInfo": {"id": stored.file_id, "name": "Version 1"},
            "filePath": stored.file_path,
            "url": self._url(stored),
            "fileType": "image" if width else "non-image",
            "height": height,
            "width": width,
            "thumbnailUrl": self._url(stored) if width else "",
            "AITags": None,
            "description": None,
        }
        return 200, body

    def _list(self, query: dict[str, list[str]]):
        path = query.get("path", [None])[0]
        search = query.get("searchQuery", [None])[0]
        skip = int(query.get("skip", ["0"])[0] or 0)
        limit = int(query.get("limit", ["1000"])[0] or 1000)
        name = None
        if search:
            match = _NAME_QUERY.match(search)
            if not match:
                return 400, {
                    "message": "Your request contains invalid syntax for the searchQuery parameter.",
                    "help": "",
                }
            name = re.sub(r"\\(.)", r"\1", match.group(2))
        kind = query.get("type", ["all"])[0] or "all"
        if path is not None:
            path = "/" + path.strip("/") + "/" if path.strip("/") else "/"
        with self._lock:
            files = sorted(self.files.values(), key=lambda f: f.created_at)
            found: list[dict] = []
            if kind in ("all", "folder") and path is not None and name is None:
                # Like the real API, a folder listing (with `path`) also returns the folders directly
                # inside it, as {"type": "folder", "folderPath": ...}; the caller walks into them.
                subfolders: dict[str, str] = {}
                for f in files:
                    if f.folder.startswith(path) and f.folder != path:
                        child = f.folder[len(path):].split("/", 1)[0]
                        subfolders.setdefault(child, f.created_at)
                found += [self._folder_json(path + child, created) for child, created in sorted(subfolders.items())]
            if kind in ("all", "file"):
                found += [
                    self._file_json(f) for f in files
                    if (path is None or f.folder == path) and (name is None or f.name == name)
                ]
        return 200, found[skip : skip + limit]

    def _folder_json(self, folder_path: str, created_at: str) -> dict:
        return {
            "type": "folder",
            "folderId": uuid.uuid5(uuid.NAMESPACE_URL, folder_path).hex[:24],
            "name": folder_path.rsplit("/", 1)[-1],
            "folderPath": folder_path,
            "createdAt": created_at,
            "updatedAt": created_at,
        }

    def _details(self, file_id: str):
        with self._lock:
            stored = self.files.get(file_id)
        if stored is None:
            return 404, {"message": "The requested file does not exist.", "help": "", "reason": "FILE_MISSING"}
        return 200, self._file_json(stored)

    def _delete(self, file_id: str):
        with self._lock:
            if self.files.pop(file_id, None) is None:
                return 404, {"message": "The requested file does not exist.", "help": "", "reason": "FILE_MISSING"}
        return 204, None

    def _file_json(self, f: StoredFile) -> dict:
        return {
            "type": "file",
            "fileId": f.file_id,
            "name": f.name,
            "filePath": f.file_path,
            "url": self._url(f),
            "thumbnail": self._url(f) if f.width else "",
            "fileType": "image" if f.width else "non-image",
            "mime": f.mime,
            "size": f.size,
            "width": f.width,
            "height": f.height,
            "hasAlpha": False,
            "isPrivateFile": False,
            "isPublished": True,
            "customCoordinates": None,
            "tags": None,
            "AITags": None,
            "versionInfo": {"id": f.file_id, "name": "Version 1"},
            "createdAt": f.created_at,
            "updatedAt": f.created_at,
        }

    def _url(self, f: StoredFile) -> str:
        return self.url_endpoint + f.file_path


class _Handler(BaseHTTPRequestHandler):
    server_fake: FakeImageKit

    def log_message(self, format, *args):  # noqa: A002 - keep test output quiet
        pass

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_DELETE(self):
        self._handle("DELETE")

    def _handle(self, method: str) -> None:
        fake = self.server_fake
        url = urlsplit(self.path)
        query = parse_qs(url.query, keep_blank_values=True)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        record = RecordedRequest(method, url.path, query, {k.lower(): v for k, v in self.headers.items()})
        fake.requests.append(record)

        if method == "GET" and url.path.startswith(URL_ENDPOINT_PATH + "/"):
            if fake.restrict_unsigned and not _signed_url_ok(fake, self.path):
                return self._send(record, 401, {"message": "Your request is not signed or the signature has expired."})
            file_path = unquote(url.path[len(URL_ENDPOINT_PATH) :]).removesuffix("/ik-thumbnail.jpg")
            stored = fake.file_at(file_path)
            if stored is None:
                return self._send(record, 404, {"message": "Not found"})
            return self._send_bytes(record, 200, stored.content, stored.mime)

        is_upload = method == "POST" and url.path == "/api/v1/files/upload"
        if is_upload:  # parsed first so that failed uploads are logged with their fields too
            fields, upload = _parse_multipart(self.headers.get("Content-Type", ""), body)
            record.fields = fields
        hang = fake._take_hang()
        if hang and not fake.hang_then_store:
            fake._wake.wait(fake.hang_seconds)
            return self._send(record, 504, {"message": "Gateway timeout"})
        if fake._take_failure():
            return self._send(record, 503, {"message": "Service Unavailable", "help": ""})
        if not self._authorised():
            return self._send(record, 401, {"message": "Your request does not contain private API key.", "help": ""})

        if is_upload:
            status, payload = fake._upload(fields, upload)
        elif method == "GET" and url.path == "/v1/files":
            status, payload = fake._list(query)
        elif method == "GET" and (m := re.fullmatch(r"/v1/files/([^/]+)/details", url.path)):
            status, payload = fake._details(unquote(m.group(1)))
        elif method == "DELETE" and (m := re.fullmatch(r"/v1/files/([^/]+)", url.path)):
            status, payload = fake._delete(unquote(m.group(1)))
        else:
            status, payload = 404, {"message": f"Fake ImageKit does not implement {method} {url.path}"}
        if hang:
            fake._wake.wait(fake.hang_seconds)
        self._send(record, status, payload)

    def _authorised(self) -> bool:
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        try:
            username, _, _password = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return False
        return username == self.server_fake.private_key

    def _send(self, record: RecordedRequest, status: int, payload) -> None:
        data = b"" if payload is None else json.dumps(payload).encode()
        self._send_bytes(record, status, data, "application/json; charset=utf-8")

    def _send_bytes(self, record: RecordedRequest, status: int, data: bytes, content_type: str) -> None:
        record.status = status
        try:
            self.send_response(status)
            if status != 204:
                self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if data and status != 204:
                interval = self.server_fake.drip_interval
                if interval and self.server_fake.mode != "hang":
                    self.wfile.flush()
                    for i in range(len(data)):
                        if self.server_fake._wake.wait(interval):  # healed or stopped: send the rest
                            self.wfile.write(data[i:])
                            break
                        self.wfile.write(data[i : i + 1])
                        self.wfile.flush()
                else:
                    self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
            pass


def _signed_url_ok(fake: FakeImageKit, raw_path: str) -> bool:
    """ImageKit's URL signature check: ik-s = HMAC-SHA1(private key, <URL after the endpoint and its
    slash, without ik-t/ik-s> + <ik-t or 9999999999>), and ik-t (when present) not in the past."""
    import hashlib
    import hmac

    match = re.search(r"[?&]ik-t=(\d+)&ik-s=([0-9a-f]+)$|[?&]ik-s=([0-9a-f]+)$", raw_path)
    if not match:
        return False
    expiry = match.group(1) or "9999999999"
    signature = match.group(2) or match.group(3)
    unsigned = raw_path[: match.start()]
    relative = unsigned[len(URL_ENDPOINT_PATH) + 1 :]
    expected = hmac.new(fake.private_key.encode(), (relative + expiry).encode(), hashlib.sha1).hexdigest()
    return hmac.compare_digest(expected, signature) and int(expiry) >= fake.clock()


def _parse_multipart(content_type: str, body: bytes) -> tuple[dict[str, str], tuple[str, bytes, str] | None]:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
    )
    fields: dict[str, str] = {}
    upload = None
    if not message.is_multipart():
        return fields, upload
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        if part.get_filename() is not None:
            upload = (part.get_filename(), payload, part.get_content_type())
        elif name:
            fields[name] = payload.decode()
    return fields, upload


def _image_size(content: bytes) -> tuple[int | None, int | None]:
    try:
        from PIL import Image

        with Image.open(io.BytesIO(content)) as img:
            return img.size
    except Exception:
        return None, None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def use_fake_imagekit(settings, fake: FakeImageKit) -> None:
    """Point Django's settings (pytest-django `settings` fixture) at `fake` and make ImageKit the
    default storage, dropping the cached SDK client and default storage so they are rebuilt."""
    settings.IMAGEKIT_PRIVATE_KEY = fake.private_key
    settings.IMAGEKIT_PUBLIC_KEY = fake.public_key
    settings.IMAGEKIT_URL_ENDPOINT = fake.url_endpoint
    settings.IMAGEKIT_API_BASE_URL = fake.base_url
    settings.IMAGEKIT_FOLDER = "instaclone-test"
    settings.IMAGEKIT_ENABLED = True
    settings.IMAGEKIT_TIMEOUT = 0.5  # the hang switch sleeps longer than this
    settings.IMAGEKIT_MAX_RETRIES = 0
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "instaclone.media.storage.ImageKitStorage"}}
    policy = getattr(settings, "CONTENT_SECURITY_POLICY", None)
    if policy and "DIRECTIVES" in policy:  # as settings.py does for IMAGEKIT_URL_ENDPOINT at start-up
        directives = dict(policy["DIRECTIVES"])
        for directive in ("img-src", "media-src"):
            if directive in directives:
                directives[directive] = [*directives[directive], fake.url_endpoint + "/"]
        settings.CONTENT_SECURITY_POLICY = {**policy, "DIRECTIVES": directives}
    reset_storage()


def reset_storage() -> None:
    from django.core.files.storage import default_storage, storages
    from django.utils.functional import empty

    from instaclone.media import imagekit

    imagekit.reset_client()
    try:
        del storages.backends  # a cached_property
    except AttributeError:
        pass
    storages._storages = {}
    storages._backends = None
    default_storage._wrapped = empty
    try:  # the default avatar's URL is cached per process; a new fake has a new URL
        from accounts.avatars import _default_avatar_url

        _default_avatar_url.cache_clear()
    except ImportError:  # pragma: no cover
        pass
