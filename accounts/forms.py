from allauth.account.forms import SignupForm as AllauthSignupForm
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
        if "username" in taken and "username" not in self.errors:
            self.add_error("username", "A user with that username already exists.")
        if "email" in taken and "email" not in self.errors:
            self.add_error("email", "A user is already registered with this email address.")
        return cleaned


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
