from django import forms

from posts.forms import ACCEPT

from .models import Story

ALT_MAX = Story._meta.get_field("alt_text").max_length


class StoryForm(forms.Form):
    """One photo or video, and its alt text. The service validates the file itself (content, size,
    length); this form only checks that one was chosen."""

    media = forms.FileField(
        label="Photo or video",
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
        error_messages={"required": "Choose a photo or a video for your story.", "empty": "This file is empty."},
    )
    alt_text = forms.CharField(
        label="Alt text", required=False, max_length=ALT_MAX,
        help_text="Describe the photo or video for people who can't see it.",
    )

