import uuid

from django import forms
from django.conf import settings

from .models import Post, PostMedia

CAPTION_MAX = Post._meta.get_field("caption").max_length
ALT_MAX = PostMedia._meta.get_field("alt_text").max_length
ACCEPT = "image/jpeg,image/png,image/webp,image/heic,image/heif,video/mp4,video/quicktime,video/webm"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files (Django's documented recipe); the count is checked by the form."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class PostCreateForm(forms.Form):
    """Caption and files. Alt texts come as alt_text_0 … alt_text_N-1, one per chosen file in order
    (plain fields without JS; JS shows each beside its file's preview). The service validates the
    files themselves; this form checks what can be checked without reading them."""

    media = MultipleFileField(
        label="Photos and videos",
        widget=MultipleFileInput(attrs={"accept": ACCEPT, "multiple": True}),
        required=False,
    )
    caption = forms.CharField(
        label="Caption",
        required=False,
        max_length=CAPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "Write a caption… #hashtags and @mentions work"}),
    )
    # The frame every slide is centre-cropped to (posts.services.post_create clamps "original").
    aspect = forms.ChoiceField(
        label="Crop",
        choices=Post.Aspect.choices,
        initial=Post.Aspect.ORIGINAL,
        required=False,
        widget=forms.RadioSelect(attrs={"class": "aspect-choice__input"}),
    )

    # One-time key, new on every render of an empty form: submitting the same form twice (a double
    # click, a retry, the back button) creates one post (posts.services.post_create).
    submission_key = forms.CharField(required=False, max_length=36, widget=forms.HiddenInput)

    def __init__(self, *args, files=None, **kwargs):
        super().__init__(*args, files=files, **kwargs)
        if not self.is_bound:
            self.fields["submission_key"].initial = str(uuid.uuid4())
        self.max_media = settings.POST_MAX_MEDIA
        for i in range(self.max_media):
            self.fields[f"alt_text_{i}"] = forms.CharField(
                label=f"Alt text for file {i + 1}", required=False, max_length=ALT_MAX
            )
        self.uploads = files.getlist("media") if files is not None else []

    def alt_fields(self):
        return [self[f"alt_text_{i}"] for i in range(self.max_media)]

    def clean(self):
        data = super().clean()
        if not self.uploads:
            self.add_error("media", "Add at least one photo or video.")
        elif len(self.uploads) > self.max_media:
            self.add_error(
                "media", f"A post can have at most {self.max_media} photos or videos (you chose {len(self.uploads)})."
            )
        return data

    def clean_aspect(self) -> str:
        return self.cleaned_data.get("aspect") or Post.Aspect.ORIGINAL

    def clean_submission_key(self) -> uuid.UUID | None:
        try:  # a missing or mangled key only loses the double-submit protection
            return uuid.UUID(self.cleaned_data.get("submission_key") or "")
        except ValueError:
            return None

    def files_with_alt_texts(self) -> list[tuple]:
        return [(upload, self.cleaned_data.get(f"alt_text_{i}", "")) for i, upload in enumerate(self.uploads)]


class PostEditForm(forms.Form):
    caption = forms.CharField(
        label="Caption", required=False, max_length=CAPTION_MAX, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, post, **kwargs):
        super().__init__(*args, **kwargs)
        self.post = post
        self.media_items = list(post.media.all())
        for item in self.media_items:
            self.fields[f"alt_{item.pk}"] = forms.CharField(
                label=f"Alt text for {item.get_kind_display().lower()} {item.position + 1}",
                required=False,
                max_length=ALT_MAX,
                initial=item.alt_text,
            )

    def media_fields(self):
        return [(item, self[f"alt_{item.pk}"]) for item in self.media_items]

    def alt_texts(self) -> dict[int, str]:
        return {item.pk: self.cleaned_data.get(f"alt_{item.pk}", "") for item in self.media_items}


class PhotoTagForm(forms.Form):
    """Tag a person at a spot of a photo: the spot in percent of the photo's width and height from
    the top left (filled by a tap on the photo, or typed without JavaScript), and the person: a
    suggestion's button (`username`) or the name typed in the search field (`q`)."""

    q = forms.CharField(
        label="Tag someone",
        max_length=150,
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": "Search people", "autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    x = forms.FloatField(label="Across (%)", min_value=0, max_value=100, initial=50, widget=forms.NumberInput(attrs={"step": "any"}))
    y = forms.FloatField(label="Down (%)", min_value=0, max_value=100, initial=50, widget=forms.NumberInput(attrs={"step": "any"}))

    def clean(self):
        data = super().clean()
        chosen = (self.data.get("username") or "").strip()
        data["person"] = (chosen or data.get("q") or "").strip().lstrip("@")
        if not data["person"]:
            self.add_error("q", "Choose a person to tag.")
        return data


class CollectionForm(forms.Form):
    """A collection's name (create and rename). The service checks it (length, invisible
    characters, taken names) and its errors land on this field (`add_to_form`)."""

    name = forms.CharField(
        label="Collection name",
        required=False,
        strip=False,
        max_length=1000,  # the service says how long a name may be; this only bounds the request
        widget=forms.TextInput(attrs={"maxlength": 60, "autocomplete": "off", "placeholder": "Collection name"}),
    )
