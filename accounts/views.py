from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from instaclone.errors import add_to_form
from instaclone.media.files import StorageError
from instaclone.media.images import UploadRejected

from .forms import ProfileForm
from .services import profile_update


@login_required
def settings_index(request):
    return render(request, "accounts/settings.html")


@login_required
def profile_edit(request):
    user = request.user
    form = ProfileForm(request.POST or None, request.FILES or None, instance=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            profile_update(
                user=user,
                display_name=data["display_name"],
                bio=data["bio"],
                website=data["website"],
                is_private=data["is_private"],
                avatar_upload=data.get("avatar_upload"),
                remove_avatar=data.get("remove_avatar", False),
            )
        except (UploadRejected, StorageError) as exc:
            add_to_form(form, exc, field="avatar_upload")
        else:
            messages.success(request, "Profile saved.")
            return redirect("accounts:edit")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/edit.html", {"form": form}, status=status)
