"""The one domain-error type (instaclone/errors.py) and the one helper that puts it on a form."""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import ValidationError

from accounts.services.graph import NotVisibleError, RelationshipError, SelfActionError
from instaclone.errors import DomainError, add_to_form
from instaclone.media.files import StorageError
from instaclone.media.imagekit import StorageTimeout
from instaclone.media.images import UploadRejected
from social.moderation import ModerationError, ReportRateLimited


class CaptionForm(forms.Form):
    caption = forms.CharField(required=False)


def _form():
    form = CaptionForm({"caption": "hi"})
    assert form.is_valid()
    return form


@pytest.mark.parametrize(
    "cls",
    [
        RelationshipError,
        SelfActionError,
        NotVisibleError,
        ModerationError,
        ReportRateLimited,
        StorageError,
        StorageTimeout,
        UploadRejected,
    ],
)
def test_every_refusal_is_a_domain_error_with_its_message(cls):
    error = cls("Nope, and here is why.")
    assert isinstance(error, DomainError)
    assert error.message == str(error) == "Nope, and here is why."


def test_the_statuses_views_answer_with_stay():
    assert (
        RelationshipError.status,
        NotVisibleError.status,
        ModerationError.status,
        ReportRateLimited.status,
    ) == (
        400,
        404,
        400,
        429,
    )


def test_a_post_rate_limit_is_a_domain_error_with_its_wait():
    from posts.services import PostRateLimited

    error = PostRateLimited(90)
    assert isinstance(error, DomainError) and not isinstance(error, ValidationError)
    assert (error.code, error.retry_after) == ("rate_limited", 90)
    assert error.message.endswith("you can share again in 2 minutes.")


def test_storage_error_keeps_its_default_message():
    assert StorageError().message.startswith("We couldn't store your upload right now.")


def test_code_and_field_are_optional():
    error = DomainError("Too many.", code="rate_limited", field="caption")
    assert (error.code, error.field) == ("rate_limited", "caption")
    assert (DomainError("x").code, DomainError("x").field) == (None, None)


def test_add_to_form_puts_the_message_on_the_named_field():
    form = _form()
    add_to_form(form, DomainError("Bad caption."), field="caption")
    assert form.errors == {"caption": ["Bad caption."]}


def test_add_to_form_uses_the_errors_own_field():
    form = _form()
    add_to_form(form, DomainError("Bad caption.", field="caption"))
    assert form.errors == {"caption": ["Bad caption."]}


def test_add_to_form_puts_an_unknown_or_missing_field_above_the_form():
    form = _form()
    add_to_form(form, ModerationError("You can't report yourself."))
    add_to_form(form, StorageError(), field="no_such_field")
    assert form.non_field_errors() == ["You can't report yourself.", StorageError.default_message]


def test_add_to_form_takes_validation_errors_through_the_same_door():
    form = _form()
    add_to_form(form, ValidationError({"caption": "Too long.", "media": "Add a photo."}))
    add_to_form(form, UploadRejected("Not an image."), field="caption")
    assert form.errors["caption"] == ["Too long.", "Not an image."]
    assert form.non_field_errors() == ["Add a photo."]
