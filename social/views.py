from django.shortcuts import render

from accounts.selectors import user_get_by_username
from accounts.visibility import can_see_content, can_see_profile


def home(request):
    if not request.user.is_authenticated:
        return render(request, "social/landing.html")
    return render(request, "social/home.html")


def profile(request, username):
    owner = user_get_by_username(username)
    if not can_see_profile(request.user, owner):
        from django.http import Http404

        raise Http404("No such user.")
    context = {
        "owner": owner,
        "is_owner": request.user.is_authenticated and request.user.pk == owner.pk,
        "can_see_content": can_see_content(request.user, owner),
    }
    return render(request, "social/profile.html", context)
