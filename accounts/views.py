import time

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from instaclone.errors import add_to_form
from instaclone.media.files import StorageError
from instaclone.media.images import UploadRejected

from .adapter import RESTORE_SESSION_KEY
from .forms import AccountDeleteForm, AccountRestoreForm, ProfileForm
from .models import User
from .services import (
    AccountDeletionError,
    account_deletion_cancel,
    account_deletion_request,
    deletion_restorable,
    profile_update,
    purge_due_at,
)

RESTORE_OFFER_SECONDS = 10 * 60  # how long after signing in the restore offer stands


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


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request):
    """Settings → Delete account: what happens, then the password (and 2FA code) to confirm. The
    account is deactivated at once and the person signed out, with a page saying when it will be
    purged."""
    user = request.user
    form = AccountDeleteForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            due = account_deletion_request(user=user)
        except AccountDeletionError as exc:
            add_to_form(form, exc)
        else:
            logout(request)  # this session is already gone from the database; the cookie goes too
            return render(request, "accounts/deleted.html", {"due": due, "username": user.username})
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/delete.html", {"form": form, "grace_days": settings.ACCOUNT_DELETION_GRACE_DAYS}, status=status)


def _restore_candidate(request) -> User | None:
    """The account this browser just gave the right password for, if it is scheduled for deletion
    (the offer lasts RESTORE_OFFER_SECONDS)."""
    offer = request.session.get(RESTORE_SESSION_KEY)
    if not isinstance(offer, dict) or time.time() - float(offer.get("at", 0)) > RESTORE_OFFER_SECONDS:
        return None
    return User.objects.filter(pk=offer.get("user"), is_active=False, deletion_requested_at__isnull=False).first()


@require_http_methods(["GET", "POST"])
def account_restore(request):
    """"Your account is scheduled for deletion on <date>. Restore it?": reached only by signing in
    with the right password (accounts.adapter); restoring signs the person in. A suspended account
    never gets here (no deletion was asked for)."""
    user = _restore_candidate(request)
    if user is None:
        request.session.pop(RESTORE_SESSION_KEY, None)
        return redirect("account_login")
    form = AccountRestoreForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            account_deletion_cancel(user=user)
        except AccountDeletionError as exc:
            add_to_form(form, exc)
        else:
            request.session.pop(RESTORE_SESSION_KEY, None)
            user.refresh_from_db()
            get_adapter(request).login(request, user)
            messages.success(request, "Welcome back. Your account is restored, with everything it had.")
            return redirect("/")
    context = {"form": form, "due": purge_due_at(user), "restorable": deletion_restorable(user), "username": user.username}
    return render(request, "accounts/restore.html", context, status=400 if form.errors else 200)
