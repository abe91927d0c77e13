"""Story pages: thin views over posts.stories.selectors (reads through `Story.objects.visible_to`,
404 for what the viewer may not see) and posts.stories.services (writes).

- `/stories/new/`: "Your story", the upload form (a plain multipart form);
- `/stories/<username>/`: one person's stories in order, a plain page that works without
  JavaScript; the full-screen viewer (static/js/stories.js) fetches its `story-items` partial;
- `/stories/<username>/<id>/seen/` (POST, the viewer) and `/stories/<username>/seen/` (POST, the
  plain page's "Mark as seen"): record views, once each;
- `/stories/<username>/<id>/viewers/`: who saw it, for its author only (404 for anyone else);
- `/stories/<username>/<id>/delete/confirm/` ("Delete this story?", the Delete link without
  JavaScript) and `/stories/<username>/<id>/delete/` (POST): the author deletes it.

Every page needs a signed-in person (stories are never public to the signed-out web).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import BadRequest
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from instaclone.errors import add_to_form
from instaclone.htmx import login_required_htmx
from instaclone.links import link
from instaclone.media.files import StorageError
from instaclone.media.images import UploadRejected
from instaclone.uploads import request_too_big

from . import selectors, services
from .forms import StoryForm

# A story is one file: anything much larger than the largest accepted video is refused unread.
REQUEST_SLACK = 1024 * 1024


def _new_context(form) -> dict:
    return {
        "form": form,
        "image_max_mb": settings.IMAGE_MAX_BYTES // (1024 * 1024),
        "video_max_mb": settings.VIDEO_MAX_BYTES // (1024 * 1024),
        "video_max_seconds": int(settings.STORY_VIDEO_MAX_SECONDS),
        "lifetime_hours": settings.STORY_LIFETIME_HOURS,
    }


@require_http_methods(["GET", "POST"])
@never_cache
@login_required_htmx
def story_new(request):
    """Add a photo or video to your story; back to the feed, where your ring shows it."""
    if request.method != "POST":
        return render(request, "stories/new.html", _new_context(StoryForm()))
    limit = max(settings.IMAGE_MAX_BYTES, settings.VIDEO_MAX_BYTES) + REQUEST_SLACK
    too_big = request_too_big(request, limit, "A story")
    if too_big:  # refused before Django reads (and spools to disk) the upload
        return render(request, "stories/new.html", {**_new_context(StoryForm()), "request_error": too_big}, status=413)
    form = StoryForm(request.POST, request.FILES)
    status = 400
    if form.is_valid():
        try:
            services.story_create(
                author=request.user, upload=form.cleaned_data["media"], alt_text=form.cleaned_data["alt_text"]
            )
        except services.StoryRateLimited as exc:
            add_to_form(form, exc)
            response = render(request, "stories/new.html", _new_context(form), status=exc.status)
            response["Retry-After"] = str(exc.retry_after)
            return response
        except (UploadRejected, StorageError) as exc:
            add_to_form(form, exc, "media")
        else:
            messages.success(request, "Added to your story.")
            return redirect("social:home")
    return render(request, "stories/new.html", _new_context(form), status=status)


@require_GET
@login_required_htmx
def person(request, username):
    """One person's stories, oldest first. htmx (the viewer) gets the `story-items` partial."""
    owner, stories = selectors.person_stories(request.user, username)
    context = {"person": owner, "stories": stories, "is_owner": owner.pk == request.user.pk}
    if request.htmx:
        return render(request, "stories/person.html#story-items", context)
    return render(request, "stories/person.html", context)


@require_POST
@login_required_htmx
def seen(request, username, pk):
    """The viewer showed this story: record the view (once; a repeat changes nothing). 204."""
    story = selectors.story_get_for_viewer(request.user, pk, username)
    services.story_views_record(viewer=request.user, story_ids=[story.pk])
    return HttpResponse(status=204)


def _story_ids(request) -> list[int]:
    values = request.POST.getlist("story")
    if not values or len(values) > selectors.PERSON_MAX or not all(v.isascii() and v.isdigit() and len(v) < 19 for v in values):
        raise BadRequest("Which stories?")
    return [int(v) for v in values]


@require_POST
@login_required_htmx
def seen_all(request, username):
    """The plain page's "Mark as seen": the stories it listed (those the viewer may still see)."""
    ids = _story_ids(request)
    owner, stories = selectors.person_stories(request.user, username)  # 404 when there are none
    listed = {story.pk for story in stories}
    services.story_views_record(viewer=request.user, story_ids=[pk for pk in ids if pk in listed])
    return redirect("social:home")


@require_GET
@login_required_htmx
def viewers(request, username, pk):
    """Who saw your story, newest first (keyset pages); 404 for anyone but its author."""
    story = selectors.story_get_for_author(request.user, pk, username)
    page = selectors.story_viewers_page(story, request.GET.get("cursor"))
    context = {"story": story, "page": page}
    if request.htmx and request.GET.get("cursor"):
        return render(request, "stories/viewers.html#viewers-page", context)
    return render(request, "stories/viewers.html", context)


@require_GET
@login_required_htmx
def delete_confirm(request, username, pk):
    """"Delete this story?" without JavaScript (with htmx the Delete link asks with hx-confirm and
    posts at once); as posts' delete_confirm. 404 for anyone but its author."""
    story = selectors.story_get_for_author(request.user, pk, username)
    return render(request, "stories/delete_confirm.html", {"story": story})


@require_POST
@login_required_htmx
def delete(request, username, pk):
    story = selectors.story_get_for_author(request.user, pk, username)
    services.story_delete(story=story, by=request.user)
    messages.success(request, "Story deleted.")
    home = link("social:home")
    return HttpResponseClientRedirect(home) if request.htmx else redirect(home)
