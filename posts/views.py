"""Post pages, likes, saves and comments: thin views over posts.selectors (reads, with the
visibility rule and the access-checked fetch) and posts.services (writes).

Every like, save and comment change is POST-only (GET → 405), needs a signed-in user (an anonymous
HTMX request gets `HX-Redirect` to login), and answers an HTMX request with the partial that swaps
itself in; a plain form POST is redirected back to the page it came from (`next`, validated).
One module rather than a package: the views are a few lines each and share the response helpers."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts.selectors import user_get_for_viewer
from instaclone.errors import add_to_form
from instaclone.htmx import back_url, login_required_htmx
from instaclone.links import link
from instaclone.media.files import StorageError
from instaclone.media.images import UploadRejected
from instaclone.uploads import request_too_big

from . import selectors, services
from .forms import CollectionForm, PhotoTagForm, PostCreateForm, PostEditForm
from .models import PostMedia


@require_http_methods(["GET", "POST"])
@never_cache  # "back" after sharing fetches a fresh form (a new one-time key), not the used one
@login_required_htmx
def post_new(request):
    posted = request.method == "POST"
    too_big = posted and request_too_big(request, settings.POST_MAX_REQUEST_BYTES, "A post", in_total=True)
    if too_big:
        # Refuse before Django reads (and spools to disk) an upload we would reject anyway.
        context = {**_new_context(PostCreateForm(), []), "request_error": too_big}
        if request.htmx:  # htmx swaps only 2xx answers; the error region shows the message
            return render(request, "posts/new.html#upload-errors", context)
        return render(request, "posts/new.html", context, status=413)
    form = PostCreateForm(request.POST if posted else None, files=request.FILES if posted else None)
    file_errors: list[tuple[int, str, str]] = []  # (index, file name, message)
    if request.method == "POST":
        if form.is_valid():
            try:
                post = services.post_create(
                    author=request.user,
                    caption=form.cleaned_data["caption"],
                    files=form.files_with_alt_texts(),
                    aspect=form.cleaned_data["aspect"],
                    idempotency_key=form.cleaned_data["submission_key"],
                    rate_limited=True,
                )
            except services.PostRateLimited as exc:
                return _too_many_posts(request, form, exc)
            except (UploadRejected, StorageError) as exc:
                index = getattr(exc, "file_index", None)
                if index is None:
                    add_to_form(form, exc)
                else:
                    name = form.uploads[index].name if index < len(form.uploads) else ""
                    file_errors.append((index, name, exc.message))  # both are DomainErrors
            except ValidationError as exc:
                add_to_form(form, exc)
            else:
                messages.success(request, "Your post has been shared.")
                if request.htmx:
                    return HttpResponseClientRedirect(post.get_absolute_url())
                return redirect(post)
        context = _new_context(form, file_errors)
        if request.htmx:
            # The form stays as it is (chosen files, previews); only the error regions are swapped.
            return render(request, "posts/new.html#upload-errors", context)
        return render(request, "posts/new.html", context, status=400)
    return render(request, "posts/new.html", _new_context(form, file_errors))


def _too_many_posts(request, form, exc):
    """429 with the message in the form's error region (htmx: the region alone, as a 200, because
    htmx swaps only 2xx answers; the form keeps the chosen files)."""
    context = {**_new_context(form, []), "request_error": exc.message}
    if request.htmx:
        response = render(request, "posts/new.html#upload-errors", context)
    else:
        response = render(request, "posts/new.html", context, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


def _new_context(form, file_errors) -> dict:
    return {
        "form": form,
        "file_errors": file_errors,
        "image_max_bytes": settings.IMAGE_MAX_BYTES,
        "video_max_bytes": settings.VIDEO_MAX_BYTES,
        "image_max_mb": settings.IMAGE_MAX_BYTES // (1024 * 1024),
        "video_max_mb": settings.VIDEO_MAX_BYTES // (1024 * 1024),
        "caption_max": services.CAPTION_MAX_LENGTH,
    }


@require_GET
def post_detail(request, pk):
    # The post with the viewer's like and save state in one (compiled) query, then its media.
    post = selectors.post_get_for_viewer(request.user, pk, with_viewer_state=True)
    context = {
        "post": post,
        # with the people tagged in its photos whom the viewer may see (one query; none without photos)
        "media": selectors.with_photo_tags(request.user, post.media.all(), author_id=post.author_id),
        "is_author": request.user.is_authenticated and request.user.pk == post.author_id,
    }
    context["viewer_tagged"] = any(t.user_id == request.user.pk for m in context["media"] for t in m.visible_tags)
    context["has_photos"] = any(m.kind == PostMedia.Kind.IMAGE for m in context["media"])
    # Like/save state and the first page of comments.
    context.update(selectors.detail_context(request.user, post))
    return render(request, "posts/detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required_htmx
def post_edit(request, pk):
    post = selectors.post_get_for_author(request.user, pk)
    form = PostEditForm(request.POST if request.method == "POST" else None, post=post, initial={"caption": post.caption})
    if request.method == "POST" and form.is_valid():
        try:
            services.post_update(post=post, caption=form.cleaned_data["caption"], alt_texts=form.alt_texts())
        except (ValidationError, UploadRejected) as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, "Your post has been updated.")
            return redirect(post)
    status = 400 if request.method == "POST" else 200
    return render(request, "posts/edit.html", {"post": post, "form": form}, status=status)


@require_GET
@login_required_htmx
def post_delete_confirm(request, pk):
    post = selectors.post_get_for_author(request.user, pk)
    return render(request, "posts/delete_confirm.html", {"post": post, "media": list(post.media.all())})


@require_POST
@login_required_htmx
def post_delete(request, pk):
    post = selectors.post_get_for_author(request.user, pk)
    services.post_delete(post=post)
    messages.success(request, "Your post has been deleted.")
    url = request.user.get_absolute_url()
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


@require_GET
def profile_grid(request, username):
    """The next page of a profile grid. HTMX gets the partial; a plain request goes to the profile
    page at that cursor (the "More posts" link works without JS)."""
    owner = user_get_for_viewer(request.user, username)  # User.objects.visible_to, else 404
    cursor = request.GET.get("cursor") or None
    if not request.htmx:
        url = owner.get_absolute_url()
        return redirect(f"{url}?cursor={cursor}" if cursor else url)
    if not owner.content_visible:
        raise Http404("This account is private.")
    page = selectors.profile_grid_page(request.user, owner, cursor)
    context = _grid_context(
        page,
        more_url=owner.get_absolute_url(),
        more_hx_url=reverse("posts:grid", kwargs={"username": owner.username}),
        first_page=False,
        owner=owner,
    )
    return render(request, "posts/_grid.html#grid-page", context)


@require_GET
def hashtag(request, name):
    cursor = request.GET.get("cursor") or None
    tag, page = selectors.hashtag_page(request.user, name, cursor)
    url = reverse("hashtag", kwargs={"name": tag.name})
    context = _grid_context(page, more_url=url, more_hx_url=url, first_page=cursor is None, tag=tag)
    if request.htmx:
        return render(request, "posts/_grid.html#grid-page", context)
    context["post_count"] = selectors.hashtag_post_count(tag)
    context["post_count_cap"] = selectors.HASHTAG_COUNT_CAP
    return render(request, "posts/hashtag.html", context)


def profile_grid_context(request, owner) -> dict:
    """What the profile page needs to show its grid (social.views.profile adds this to its context)."""
    cursor = request.GET.get("cursor") or None
    page = selectors.profile_grid_page(request.user, owner, cursor)
    return _grid_context(
        page,
        more_url=owner.get_absolute_url(),
        more_hx_url=link("posts:grid", owner.username),
        first_page=cursor is None,
        owner=owner,
    )


def _grid_context(page, *, more_url: str, more_hx_url: str, first_page: bool, **extra) -> dict:
    suffix = f"?cursor={page.next_cursor}" if page.next_cursor else ""
    return {
        "page": page,
        "more_url": more_url + suffix,
        "more_hx_url": more_hx_url + suffix,
        # The first two rows load at once; everything below the fold loads lazily.
        "eager_count": 6 if first_page else 0,
        **extra,
    }


# --- Likes, saves and comments -------------------------------------------------------------------

CARD = "posts/_card.html"
COMMENTS = "posts/_comments.html"


def _back(request, post, anchor: str = "") -> HttpResponseRedirect:
    url = back_url(request, default=post.get_absolute_url())
    if anchor and "#" not in url:
        url += anchor
    return HttpResponseRedirect(url)


def _partials(request, template: str, names: list[str], context: dict) -> HttpResponse:
    """Several partials of one template in one response (the first swaps in place, the others
    carry hx-swap-oob)."""
    html = "".join(render_to_string(f"{template}#{name}", context, request=request) for name in names)
    return HttpResponse(html)


def _like_response(request, post, liked: bool):
    if not request.htmx:
        return _back(request, post, f"#post-{post.pk}")
    context = {"post": post, "liked_ids": {post.pk} if liked else set(), "next": back_url(request), "oob": True}
    return _partials(request, CARD, ["like-button", "like-count"], context)


def _save_response(request, post, saved: bool):
    if not request.htmx:
        return _back(request, post, f"#post-{post.pk}")
    context = {"post": post, "saved_ids": {post.pk} if saved else set(), "next": back_url(request)}
    return _partials(request, CARD, ["save-button"], context)


@require_POST
@login_required_htmx
def like(request, pk: int):
    post = services.like_create(user=request.user, post_id=pk)
    return _like_response(request, post, liked=True)


@require_POST
@login_required_htmx
def unlike(request, pk: int):
    post = services.like_delete(user=request.user, post_id=pk)
    return _like_response(request, post, liked=False)


@require_POST
@login_required_htmx
def save(request, pk: int):
    post = services.save_create(user=request.user, post_id=pk)
    return _save_response(request, post, saved=True)


@require_POST
@login_required_htmx
def unsave(request, pk: int):
    post = services.save_delete(user=request.user, post_id=pk)
    return _save_response(request, post, saved=False)


@require_http_methods(["GET", "HEAD", "POST"])
def comments(request, pk: int):
    """GET: a page of a post's comments, oldest first ("load more"). POST: add a comment."""
    if request.method == "POST":
        return _comment_add(request, pk)
    post = selectors.post_get_for_viewer(request.user, pk, with_media=False)
    page = selectors.comments_page(request.user, post, cursor=request.GET.get("cursor"))
    context = {"post": post, "comments": page}
    if request.htmx:
        # ?section=1: the whole section (count, list, "load more"), for a page that loads it late
        partial = "comments-section" if request.GET.get("section") else "comments-page"
        return render(request, f"{COMMENTS}#{partial}", context)
    return render(request, "posts/comments.html", context)


@login_required_htmx
def _comment_add(request, pk: int):
    body = request.POST.get("body", "")
    try:
        comment = services.comment_create(user=request.user, post_id=pk, body=body)
    except ValidationError as exc:
        post = selectors.post_get_for_viewer(request.user, pk, with_media=False)
        error = " ".join(exc.messages)
        if request.htmx:
            context = {"post": post, "comment_error": error, "comment_body": body, "next": back_url(request)}
            return render(request, f"{COMMENTS}#comment-form", context)
        messages.error(request, error)
        return _back(request, post, f"#comment-form-{post.pk}")
    post = comment.post
    if not request.htmx:
        return _back(request, post, f"#comment-{comment.pk}")
    context = {
        "post": post,
        "comment": comment,
        "new_comments": [comment],
        "next": back_url(request),
        "oob": True,
    }
    return _partials(request, COMMENTS, ["comment-form", "comment-appended", "comment-count"], context)


@require_POST
@login_required_htmx
def comment_delete(request, pk: int, comment_id: int):
    post = services.comment_delete(user=request.user, post_id=pk, comment_id=comment_id)
    if not request.htmx:
        return _back(request, post, "#comments")
    # The comment's <li> is the target (outerHTML): an empty body removes it; the count updates.
    return _partials(request, COMMENTS, ["comment-count"], {"post": post, "oob": True})


@require_GET
def liked_by(request, pk: int):
    post = selectors.post_get_for_viewer(request.user, pk, with_media=False)
    page = selectors.likers_page(request.user, post, cursor=request.GET.get("cursor"))
    context = {"post": post, "likes": page}
    if request.htmx:
        return render(request, "posts/liked_by.html#likers-page", context)
    return render(request, "posts/liked_by.html", context)


@require_GET
@login_required_htmx
def saved(request):
    """The signed-in person's Saved posts (only ever their own: there is no user in the URL)."""
    cursor = request.GET.get("cursor")
    page = selectors.saved_page(request.user, cursor=cursor)
    context = {"saves": page}
    if request.htmx:
        return render(request, "posts/saved.html#saved-page", context)
    if not cursor:  # the first page shows the collections above the grid, with their covers
        context["collections"] = selectors.collections_with_covers(request.user)
        context["saved_cover"] = selectors.saved_cover(page)
    return render(request, "posts/saved.html", context)


# --- People tagged in photos ---------------------------------------------------------------------

PHOTO_TAGS = "posts/photo_tags.html"


@require_http_methods(["GET", "POST"])
@login_required_htmx
def photo_tags(request, pk: int, media_id: int | None = None):
    """The author's "Tag people" page for one photo of a post (the first without `media_id`): tap
    a spot, pick a person. GET with htmx and `q`: the people suggestions alone. Anyone but the
    author gets 404 (`post_get_for_author`)."""
    post = selectors.post_get_for_author(request.user, pk)
    photos = [m for m in post.media.all() if m.kind == PostMedia.Kind.IMAGE]
    media = next((m for m in photos if media_id is None or m.pk == media_id), None)
    if media is None:
        raise Http404("No such photo.")
    if request.htmx and request.method == "GET" and "q" in request.GET:
        candidates = selectors.photo_tag_candidates(request.user, request.GET.get("q", ""))
        return render(request, f"{PHOTO_TAGS}#tag-people-results", {"candidates": candidates})
    posted = request.method == "POST"
    form = PhotoTagForm(request.POST if posted else None)
    if posted and form.is_valid():
        person = selectors.photo_tag_person(request.user, form.cleaned_data["person"])
        try:
            if person is None:  # none, or one the author may not see: the service's answer, not "no such account"
                raise services.PhotoTagError(f"You can't tag @{form.cleaned_data['person']} in this post.", field="q")
            services.photo_tag_add(
                author=request.user, media=media, user=person, x=form.cleaned_data["x"] / 100, y=form.cleaned_data["y"] / 100
            )
        except services.PhotoTagError as exc:
            add_to_form(form, exc, field="q")
        else:
            messages.success(request, f"Tagged @{person.username}.")
            return redirect(link("posts:photo_tags_media", post.pk, media.pk))
    selectors.with_photo_tags(request.user, [media], author_id=post.author_id)
    context = {"post": post, "media": media, "photos": photos, "form": form}
    return render(request, PHOTO_TAGS, context, status=400 if posted else 200)


@require_POST
@login_required_htmx
def photo_tag_remove(request, pk: int, tag_id: int):
    """Remove one tag: the tagged person or the post's author (403 for others; 404 for a tag not on
    this post or a post the person may not see)."""
    post = selectors.post_get_for_viewer(request.user, pk, with_media=False)
    tag = selectors.photo_tag_get(post, tag_id)
    services.photo_tag_remove(by=request.user, tag=tag)
    messages.success(request, "Tag removed.")
    return _back(request, post)


@require_POST
@login_required_htmx
def photo_tags_remove_self(request, pk: int):
    """"Remove me from this post": the signed-in person's tags on a post they may see."""
    post = selectors.post_get_for_viewer(request.user, pk, with_media=False)
    if services.photo_tags_remove_self(user=request.user, post=post):
        messages.success(request, "You removed yourself from this post.")
    return _back(request, post)


def tagged_grid_context(request, owner) -> dict:
    """The profile's "Tagged" tab (social.views.profile_tagged adds this to its context)."""
    cursor = request.GET.get("cursor") or None
    page = selectors.tagged_page(request.user, owner, cursor)
    url = link("tagged", owner.username)
    return _grid_context(page, more_url=url, more_hx_url=url, first_page=cursor is None, owner=owner)


# --- Archive -------------------------------------------------------------------------------------


@require_POST
@login_required_htmx
def post_archive(request, pk: int):
    """Hide the author's post from their profile (the ••• menu of the post page)."""
    post = selectors.post_get_for_author(request.user, pk)
    services.post_archive(post=post, by=request.user)
    messages.success(request, "Post archived. Only you can see it, in your Archive.")
    url = request.user.get_absolute_url()
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_POST
@login_required_htmx
def post_unarchive(request, pk: int):
    """Show an archived post on the profile again ("Show on profile" on the Archive and post pages)."""
    post = selectors.post_get_for_author(request.user, pk)
    services.post_unarchive(post=post, by=request.user)
    messages.success(request, "Post shown on your profile again.")
    url = back_url(request, default=post.get_absolute_url())
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_GET
@login_required_htmx
def archive(request):
    """The signed-in person's archived posts (only ever their own: there is no user in the URL)."""
    page = selectors.archive_page(request.user, cursor=request.GET.get("cursor"))
    context = {"archived": page}
    if request.htmx:
        return render(request, "posts/archive.html#archive-page", context)
    return render(request, "posts/archive.html", context)


# --- Collections ---------------------------------------------------------------------------------

SAVE_TO = "posts/save_to.html"


@require_http_methods(["GET", "POST"])
@login_required_htmx
def collection_new(request):
    form = CollectionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            collection = services.collection_create(owner=request.user, name=form.cleaned_data["name"])
        except services.CollectionError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, f"Collection “{collection.name}” created.")
            return redirect("posts:collection", pk=collection.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "posts/collection_form.html", {"form": form}, status=status)


@require_GET
@login_required_htmx
def collection_detail(request, pk: int):
    collection = selectors.collection_get_for_owner(request.user, pk)
    page = selectors.collection_page(request.user, collection, cursor=request.GET.get("cursor"))
    context = {"collection": collection, "items": page}
    if request.htmx:
        return render(request, "posts/collection.html#collection-page", context)
    return render(request, "posts/collection.html", context)


@require_http_methods(["GET", "POST"])
@login_required_htmx
def collection_edit(request, pk: int):
    """Rename (and, below the form, delete) a collection."""
    collection = selectors.collection_get_for_owner(request.user, pk)
    posted = request.method == "POST"
    form = CollectionForm(request.POST if posted else None, initial={"name": collection.name})
    if posted and form.is_valid():
        try:
            services.collection_rename(collection=collection, by=request.user, name=form.cleaned_data["name"])
        except services.CollectionError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, "Collection renamed.")
            return redirect("posts:collection", pk=collection.pk)
    context = {"form": form, "collection": collection}
    return render(request, "posts/collection_form.html", context, status=400 if posted else 200)


@require_POST
@login_required_htmx
def collection_delete(request, pk: int):
    collection = selectors.collection_get_for_owner(request.user, pk)
    services.collection_delete(collection=collection, by=request.user)
    messages.success(request, f"Collection “{collection.name}” deleted. Its posts are still in Saved.")
    url = reverse("saved")
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_http_methods(["GET", "POST"])
@login_required_htmx
def save_to(request, pk: int):
    """"Save to collection" for one post: the viewer's collections with add/remove buttons and a
    new-collection field. A page without JavaScript; with htmx a dialog appended to the page (its
    body re-rendered after each change, the post's save button updated out of band)."""
    post = selectors.post_get_for_viewer(request.user, pk, with_media=False)
    form = CollectionForm(request.POST if request.method == "POST" else None)
    changed = ""
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            changed = _save_to_change(request, post, action, form)
        except services.CollectionError as exc:
            add_to_form(form, exc)
        else:
            if changed and action == "create":
                form = CollectionForm()  # a fresh field for the next one
        if changed and not request.htmx:
            messages.success(request, changed)
            return _back(request, post, f"#post-{post.pk}")
    collections = selectors.collections_for_post(request.user, post.pk)
    context = {
        "post": post,
        "collections": collections,
        "form": form,
        "changed": changed,
        "next": back_url(request, default=post.get_absolute_url()),
    }
    if request.htmx:
        if request.method == "POST":
            _, saved_ids = selectors.viewer_state(request.user, [post.pk])
            html = render_to_string(f"{SAVE_TO}#save-to-dialog", context, request=request)
            button = {"post": post, "saved_ids": saved_ids, "next": context["next"], "oob": True}
            return HttpResponse(html + render_to_string(f"{CARD}#save-button", button, request=request))
        return render(request, f"{SAVE_TO}#save-to-dialog", context)
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, SAVE_TO, context, status=status)


def _save_to_change(request, post, action: str | None, form) -> str:
    """Do what the save-to form asked; a sentence saying what changed ("" for nothing)."""
    if action == "create":
        if not form.is_valid():
            return ""
        collection = services.collection_create(owner=request.user, name=form.cleaned_data["name"])
        services.collection_add_post(collection=collection, by=request.user, post_id=post.pk)
        return f"Saved to “{collection.name}”."
    try:
        collection_id = int(request.POST.get("collection", ""))
    except ValueError:
        raise Http404("No such collection.") from None
    collection = selectors.collection_get_for_owner(request.user, collection_id)
    if action == "add":
        services.collection_add_post(collection=collection, by=request.user, post_id=post.pk)
        return f"Saved to “{collection.name}”."
    if action == "remove":
        services.collection_remove_post(collection=collection, by=request.user, post_id=post.pk)
        return f"Removed from “{collection.name}”."
    raise Http404("No such action.")
