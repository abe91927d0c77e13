"""The one domain-error type, and the one helper that puts an error on a form.

A service raises a `DomainError` (or a subclass: `RelationshipError`, `ModerationError`, `StorageError`,
`UploadRejected`) when it refuses an action; the message is meant for the person and is shown as it
is. Views either
answer with it (`status`, where the subclass has one) or put it on the form they re-render with
`add_to_form`. Infrastructure: imports no app.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError


class DomainError(Exception):
    """An action the domain refuses. `message` is for the person; `code` is for code and tests (a
    stable name such as "rate_limited"); `field` names the form field it concerns, if any."""

    default_message = "That didn't work. Please try again."
    code: str | None = None
    field: str | None = None

    def __init__(self, message: str | None = None, *, code: str | None = None, field: str | None = None):
        self.message = message or self.default_message
        super().__init__(self.message)
        if code is not None:
            self.code = code
        if field is not None:
            self.field = field


def add_to_form(form, error: DomainError | ValidationError, field: str | None = None) -> None:
    """Show `error` on `form`: on `field` (or the error's own `field`) when the form has that field,
    otherwise above the form. A Django ValidationError (a service's field validation) goes through
    the same door: a dict of field errors lands on those fields (unknown
    ones above the form), a list of messages as that many errors."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
        return
    name = field or getattr(error, "field", None)
    if name not in form.fields:
        name = None
    if isinstance(error, ValidationError):
        form.add_error(name, error.messages)
    else:
        form.add_error(name, error.message)
