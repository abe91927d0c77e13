from django import forms


class ImportForm(forms.Form):
    archive = forms.FileField(
        label="ZIP file",
        help_text="Instagram's “Download your information” ZIP in JSON format, or an Instaclone export.",
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )
