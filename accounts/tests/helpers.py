import re

from django.core import mail

CODE_RE = re.compile(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4}|[A-Z0-9]{6,8})\s*$", re.MULTILINE)


def last_code(to: str | None = None) -> str:
    """The one-time code from the newest email (to `to`, if given)."""
    for message in reversed(mail.outbox):
        if to is None or to.lower() in [addr.lower() for addr in message.to]:
            match = CODE_RE.search(message.body)
            if match:
                return match.group(1)
    raise AssertionError(f"no email with a code (outbox: {[m.subject for m in mail.outbox]})")
