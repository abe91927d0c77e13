"""Forms of the Direct pages: they parse; the services validate (length, null characters, the photo
pipeline) and their DomainErrors land on these forms through `instaclone.errors.add_to_form`."""

from __future__ import annotations

from django import forms

from .services import NAME_MAX_LENGTH, TEXT_MAX_LENGTH


class MessageForm(forms.Form):
    # No max_length here: the service says how long it was ("at most 2,000 characters (this one has …)").
    text = forms.CharField(
        required=False, strip=False,
        widget=forms.Textarea(attrs={"rows": 1, "maxlength": TEXT_MAX_LENGTH, "placeholder": "Message…",
                                     "aria-label": "Message", "autocomplete": "off"}),
    )
    photo = forms.FileField(
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/heic,image/heif"}),
    )


class NewConversationForm(forms.Form):
    to = forms.MultipleChoiceField(required=False)  # usernames: choices are the people shown on the page
    name = forms.CharField(required=False, strip=False, label="Group name (optional)",
                           widget=forms.TextInput(attrs={"maxlength": NAME_MAX_LENGTH}))
    text = MessageForm.base_fields["text"]

    def __init__(self, *args, usernames=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [(name, name) for name in usernames]


class GroupNameForm(forms.Form):
    name = forms.CharField(required=False, strip=False, label="Group name",
                           widget=forms.TextInput(attrs={"maxlength": NAME_MAX_LENGTH}))


class ShareForm(forms.Form):
    text = forms.CharField(required=False, strip=False,
                           widget=forms.TextInput(attrs={"maxlength": TEXT_MAX_LENGTH, "placeholder": "Write a message…",
                                                         "aria-label": "Message (optional)"}))
