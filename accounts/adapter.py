from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ValidationError

from .validators import validate_username


class AccountAdapter(DefaultAccountAdapter):
    def clean_username(self, username, shallow=False):
        try:
            validate_username(username)
        except ValidationError as exc:
            raise ValidationError(exc.messages[0]) from None
        return super().clean_username(username, shallow=shallow)
