"""Helpers for tests (imported by conftest.py and the apps' tests; never by application code)."""

from __future__ import annotations

import io

from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.models import User

DEFAULT_PASSWORD = "correct-horse-battery-staple"  # noqa: S105 - test personas


def make_user(username: str, *, password: str = DEFAULT_PASSWORD, verified: bool = True, **fields) -> User:
    """A user who can sign in, with a verified primary email (as after sign-up)."""
    email = fields.pop("email", f"{username}@example.com")
    user = User.objects.create_user(username=username, email=email, password=password, **fields)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=verified)
    return user


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (64, 48), color=(200, 30, 60), exif=None) -> bytes:
    out = io.BytesIO()
    img = Image.new("RGB", size, color)
    kwargs = {"exif": exif} if exif is not None else {}
    img.save(out, format=fmt, **kwargs)
    return out.getvalue()


def image_upload(name: str = "photo.jpg", fmt: str = "JPEG", size=(64, 48), **kw) -> SimpleUploadedFile:
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}.get(fmt, "application/octet-stream")
    return SimpleUploadedFile(name, image_bytes(fmt, size, **kw), content_type=content_type)


def stored_files(root) -> list[str]:
    """Every file under a local media root, as relative paths (for 'no orphaned file' checks)."""
    from pathlib import Path

    root = Path(root)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
