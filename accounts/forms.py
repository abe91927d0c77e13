from allauth.account.adapter import get_adapter
from allauth.account.forms import AddEmailForm as AllauthAddEmailForm
from allauth.account.forms import PasswordField
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.account.internal.userkit import filter_users_by_email
from django import forms

from .models import User
from .selectors import identity_taken


class SignupForm(AllauthSignupForm):
    """allauth's sign-up form, with one case-insensitive query for a taken username or email."""

    def clean(self):
        cleaned = super().clean()
        taken = identity_taken(
            username=cleaned.get("username", "") or "", email=cleaned.get("email", "") or ""
        )
        # With allauth's codes: the client API's sign-up answers Mastodon's ERR_TAKEN from them.
        if "username" in taken and "username" not in self.errors:
            self.add_error(
                "username", forms.ValidationError("A user with that username already exists.", code="username_taken")
            )
        if "email" in taken and "email" not in self.errors:
            self.add_error("email", get_adapter().validation_error("email_taken"))
        return cleaned


class AddEmailForm(AllauthAddEmailForm):
    """Changing your email asks for your password: whoever holds a signed-in browser must not be
    able to move the account to an address they own (and then reset the password). The password is
    checked by allauth's reauthentication (`adapter.reauthenticate`), which goes through the
    sign-in lockout: wrong passwords here count against the same per-account limit as the sign-in
    form's (ACCOUNT_RATE_LIMITS["login_failed"]), and a locked account is told when to try again.

    It also says when the address belongs to someone else, as sign-up does (a product decision,
    see ACCOUNT_PREVENT_ENUMERATION in settings). allauth hides it whenever enumeration prevention
    is on; that setting is for password reset and sign-in codes."""

    password = PasswordField(label="Password", autocomplete="current-password")

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not get_adapter().reauthenticate(self.user, password):  # raises when locked out
            raise get_adapter().validation_error("incorrect_password")
        return password

    def clean_email(self):
        email = (self.cleaned_data.get("email") or "").strip()
        if email and any(user.pk != self.user.pk for user in filter_users_by_email(email)):
            raise get_adapter().validation_error("email_taken")
        return super().clean_email()


class ProfileForm(forms.ModelForm):
    avatar_upload = forms.FileField(
        label="Profile photo",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text="JPEG, PNG or WebP. It is cropped to a square.",
    )
    remove_avatar = forms.BooleanField(label="Remove current photo", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.avatar:
            del self.fields["remove_avatar"]

    class Meta:
        model = User
        fields = ["display_name", "bio", "website", "is_private"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 3, "maxlength": 150})}
        help_texts = {
            "is_private": "Only people you approve can see your photos and videos.",
        }


def _mfa_enabled(user) -> bool:
    from allauth.mfa.utils import is_mfa_enabled

    return is_mfa_enabled(user)


def _check_mfa_code(user, code: str) -> None:
    """An authenticator-app code (or a recovery code) of `user`, checked by allauth.mfa's own form
    (its rate limit, and the failure signal it sends)."""
    from allauth.mfa.base.forms import BaseAuthenticateForm

    form = BaseAuthenticateForm(data={"code": code}, user=user)
    if not form.is_valid():
        raise forms.ValidationError(form.errors["code"])


class AccountDeleteForm(forms.Form):
    """Deleting your account asks for your password (through allauth's reauthentication, so wrong
    passwords count against the sign-in lockout), and with two-factor authentication on, also a code
    from the authenticator app (or a recovery code): a borrowed unlocked browser plus a guessed or
    seen password is not enough."""

    password = PasswordField(label="Your password", autocomplete="current-password")
    code = forms.CharField(
        label="Code from your authenticator app",
        required=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text="Or one of your recovery codes.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not _mfa_enabled(user):
            del self.fields["code"]

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not get_adapter().reauthenticate(self.user, password):  # raises when locked out
            raise get_adapter().validation_error("incorrect_password")
        return password

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if "password" in self.cleaned_data:  # no code is tried with a wrong password
            _check_mfa_code(self.user, code)
        return code


class AccountRestoreForm(forms.Form):
    """Restoring an account scheduled for deletion: the password was checked at sign-in; with
    two-factor authentication on, the code is asked here (signing in would have asked for it)."""

    code = AccountDeleteForm.base_fields["code"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not _mfa_enabled(user):
            del self.fields["code"]

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        _check_mfa_code(self.user, code)
        return code
