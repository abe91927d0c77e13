"""Views for likes, saves and comments: parse the request, call one service or selector, render.

Every state change is POST-only (GET → 405), needs a signed-in user (an anonymous HTMX request gets
`HX-Redirect` to login), and answers an HTMX request with the partial that swaps itself in; a plain
form POST is redirected back to the page it came from (`next`, validated).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from instaclone.htmx import back_url, login_required_htmx

from . import interactions
from .interactions import _post_for

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
    post = interactions.like_create(user=request.user, post_id=pk)
    return _like_response(request, post, liked=True)


@require_POST
@login_required_htmx
def unlike(request, pk: int):
    post = interactions.like_delete(user=request.user, post_id=pk)
    return _like_response(request, post, liked=False)


@require_POST
@login_required_htmx
def save(request, pk: int):
    post = interactions.save_create(user=request.user, post_id=pk)
    return _save_response(request, post, saved=True)


@require_POST
@login_required_htmx
def unsave(request, pk: int):
    post = interactions.save_delete(user=request.user, post_id=pk)
    return _save_response(request, post, saved=False)


@require_http_methods(["GET", "HEAD", "POST"])
def comments(request, pk: int):
    """GET: a page of a post's comments, oldest first ("load more"). POST: add a comment."""
    if request.method == "POST":
        return _comment_add(request, pk)
    post = _post_for(request.user, pk)
    page = interactions.comments_page(request.user, post, cursor=request.GET.get("cursor"))
    context = {"post": post, "comments": page}
    if request.htmx:
        # ?section=1: the whole section (count, list, "load more"), for a page that loads it late
        partial = "comments-section" if request.GET.get("section") else "comments-page"
        return render(request, f"{COMMENTS}#{partial}", context)
    return render(request, COMMENTS, context)


@login_required_htmx
def _comment_add(request, pk: int):
    body = request.POST.get("body", "")
    try:
        comment = interactions.comment_create(user=request.user, post_id=pk, body=body)
    except ValidationError as exc:
        post = _post_for(request.user, pk)
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
    post = interactions.comment_delete(user=request.user, post_id=pk, comment_id=comment_id)
    if not request.htmx:
        return _back(request, post, "#comments")
    # The comment's <li> is the target (outerHTML): an empty body removes it; the count updates.
    return _partials(request, COMMENTS, ["comment-count"], {"post": post, "oob": True})


@require_GET
def liked_by(request, pk: int):
    post = _post_for(request.user, pk)
    page = interactions.likers_page(request.user, post, cursor=request.GET.get("cursor"))
    context = {"post": post, "likes": page}
    if request.htmx:
        return render(request, "posts/liked_by.html#likers-page", context)
    return render(request, "posts/liked_by.html", context)


@require_GET
@login_required_htmx
def saved(request):
    """The signed-in person's Saved posts (only ever their own: there is no user in the URL)."""
    page = interactions.saved_page(request.user, cursor=request.GET.get("cursor"))
    context = {"saves": page}
    if request.htmx:
        return render(request, "posts/saved.html#saved-page", context)
    return render(request, "posts/saved.html", context)
