from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.follow_state import FollowState
from accounts.models import User
from accounts.selectors import user_get_by_username, user_get_for_viewer
from accounts.services import graph
from instaclone.htmx import back_url, login_required_htmx
from instaclone.views import error_response
from posts.sharing import known_mentions
from posts.stories.selectors import story_tray
from posts.text import render_caption

from . import selectors as social_selectors
from . import services as social_services


def home(request):
    """Signed out: the landing page. Signed in: the home feed (keyset pages, HTMX infinite scroll)."""
    if not request.user.is_authenticated:
        return render(request, "social/landing.html", {"posts": social_selectors.landing_posts()})
    page = social_selectors.feed_page(request.user, request.GET.get("cursor"))
    context = {"page": page, **_cards(request.user, page.items)}
    if request.htmx and request.GET.get("cursor"):
        return render(request, "social/home.html#feed-page", context)
    if not page.items and not request.GET.get("cursor"):
        context["suggestions"] = social_selectors.suggestions_for(request.user, social_selectors.PEOPLE_PAGE_SIZE)
    if not request.GET.get("cursor"):  # the stories tray tops the first page
        context["tray"] = story_tray(request.user)
    return render(request, "social/home.html", context)


def profile(request, username, tab: str = "posts"):
    """A profile: its grid of posts, or (`tab="tagged"`, /<username>/tagged/) the posts its owner is
    tagged in (posts.views.tagged_grid_context); htmx "More" on the Tagged tab gets the grid page."""
    # User.objects.visible_to, else 404; with the viewer's follow state in the same (compiled) query
    try:
        owner = user_get_for_viewer(request.user, username, with_relation=True)
    except Http404:
        # someone you blocked: their profile in the blocked state, with Unblock (as Instagram)
        blocked = social_selectors.blocked_person(request.user, username)
        if blocked is None:
            raise
        return render(request, "social/profile_blocked.html", {"person": blocked})
    context = {
        "owner": owner,
        "is_owner": request.user.is_authenticated and request.user.pk == owner.pk,
        "can_see_content": owner.content_visible,
        "tab": tab,
        # the bio's #tags and the @mentions of people the viewer may see linked (one query, none without "@")
        "bio_html": render_caption(owner.bio, known_mentions(owner.bio, viewer=request.user)),
        **_profile_social_context(request, owner),
    }
    if context["can_see_content"]:
        from posts.views import profile_grid_context, tagged_grid_context

        grid_context = tagged_grid_context if tab == "tagged" else profile_grid_context
        context.update(grid_context(request, owner))
        if tab == "tagged" and request.htmx and request.GET.get("cursor"):
            return render(request, "posts/_grid.html#grid-page", context)
    return render(request, "social/profile.html", context)


# --- follow buttons, people lists, requests, blocks, notifications, explore, search -----------


def _profile_social_context(request, owner):
    """The follow button's state and, on one's own profile, the waiting follow requests: read with
    the owner (`user_get_for_viewer(..., with_relation=True)`), no query of their own."""
    viewer = request.user
    if not viewer.is_authenticated:
        return {"follow_state": FollowState.NONE.value, "pending_requests": 0}
    if viewer.pk == owner.pk:
        return {"follow_state": FollowState.SELF.value, "pending_requests": owner.pending_requests}
    if owner.viewer_follows:
        state = FollowState.FOLLOWING
    else:
        state = FollowState.REQUESTED if owner.viewer_requested else FollowState.NONE
    owner.follow_state = state.value
    return {"follow_state": owner.follow_state, "pending_requests": 0}


def _cards(viewer, posts) -> dict:
    """Per-page card state (liked, saved, latest comments, liked by) in constant queries."""
    from posts.selectors import cards_context

    return cards_context(viewer, posts)


def _error(request, exc: graph.RelationshipError):
    """A refused graph action through the one error channel: htmx gets the message as a toast
    (`HX-Trigger: showToast`), a plain POST the error page in the site's layout with a way back."""
    return error_response(request, exc.status, message=exc.message)


def _done(request, fragment_template: str, context: dict, default: str):
    """HTMX: the swapped fragment. Plain form post: back to where the person was."""
    if request.htmx:
        # the swapped form's no-JS fallback returns to the page the person is on, not to this URL
        return render(request, fragment_template, {"next": back_url(request, default), **context})
    return redirect(back_url(request, default))


@require_POST
@login_required_htmx
def follow(request, username):
    target = user_get_for_viewer(request.user, username)
    try:
        state = graph.follow_create(follower=request.user, followee=target)
    except graph.RelationshipError as exc:
        return _error(request, exc)
    target.follow_state = state.value
    return _follow_done(request, target)


@require_POST
@login_required_htmx
def unfollow(request, username):
    target = user_get_by_username(username)  # cancelling works even after a block
    # unfollowing a private account hides its posts: asked first (htmx asks with hx-confirm)
    asks = target.is_private and not request.htmx and not request.POST.get("confirm")
    if asks and social_selectors.relation(request.user, target) == FollowState.FOLLOWING.value:
        next_url = back_url(request, target.get_absolute_url())
        return render(request, "social/unfollow_confirm.html", {"person": target, "next": next_url})
    try:
        state = graph.follow_delete(follower=request.user, followee=target)
    except graph.RelationshipError as exc:
        return _error(request, exc)
    target.follow_state = state.value
    return _follow_done(request, target)


def _follow_done(request, target):
    """The follow button in its new state. From a profile header (the button's htmx post carries
    counts=1) the answer also swaps the header's counts in, out of band, read again after the
    write; when the person's posts stopped being visible (a private account unfollowed), the page
    reloads instead (HX-Refresh) to show the private state."""
    response = _done(request, "social/_follow_button.html", {"person": target}, target.get_absolute_url())
    if not (request.htmx and request.POST.get("counts")):
        return response
    try:
        owner = user_get_for_viewer(request.user, target.username)
    except Http404:  # blocked meanwhile: the button alone
        return response
    if target.is_private and not owner.content_visible and target.follow_state == FollowState.NONE.value:
        response["HX-Refresh"] = "true"
        return response
    response.content += render_to_string(
        "social/_profile_header.html#profile-counts",
        {"owner": owner, "can_see_content": owner.content_visible, "oob": True},
        request=request,
    ).encode()
    return response


@require_POST
@login_required_htmx
def follower_remove(request, username):
    follower = user_get_by_username(username)
    try:
        graph.follower_remove(owner=request.user, follower=follower)
    except graph.RelationshipError as exc:
        return _error(request, exc)
    if request.htmx:  # the row disappears; your followers' count (the page's tab) drops in place
        owner = User.objects.only("follower_count").get(pk=request.user.pk)
        return render(request, "social/people.html#followers-count", {"owner": owner, "oob": True})
    return redirect(back_url(request, reverse_followers(request.user)))


def reverse_followers(user) -> str:
    from django.urls import reverse

    return reverse("followers", kwargs={"username": user.username})


@require_POST
@login_required_htmx
def block(request, username):
    target = user_get_by_username(username)
    try:
        graph.block_create(blocker=request.user, blocked=target)
    except graph.RelationshipError as exc:
        return _error(request, exc)
    from django.contrib import messages

    messages.success(request, f"You blocked @{target.username}.")
    # you stay on their profile, which now shows the blocked state (with Unblock)
    if request.htmx:
        from django_htmx.http import HttpResponseClientRedirect

        return HttpResponseClientRedirect(target.get_absolute_url())
    return redirect(target.get_absolute_url())


@require_POST
@login_required_htmx
def unblock(request, username):
    target = user_get_by_username(username)
    graph.block_delete(blocker=request.user, blocked=target)
    if request.htmx:
        return HttpResponse("")
    from django.contrib import messages

    messages.success(request, f"You unblocked @{target.username}.")
    return redirect(back_url(request, "/social/blocked/"))


@login_required_htmx
def blocked_list(request):
    page = social_selectors.blocked_page(request.user, request.GET.get("cursor"))
    if request.htmx and request.GET.get("cursor"):
        return render(request, "social/blocked.html#blocked-page", {"page": page})
    return render(request, "social/blocked.html", {"page": page})


def _people(request, username, which):
    owner = user_get_for_viewer(request.user, username)
    if not owner.content_visible:
        raise Http404("This account is private.")
    pager = social_selectors.followers_page if which == "followers" else social_selectors.following_page
    page = pager(request.user, owner, request.GET.get("cursor"))
    context = {"owner": owner, "page": page, "which": which, "is_owner": request.user.pk == owner.pk}
    if request.htmx and request.GET.get("cursor"):
        return render(request, "social/people.html#people-page", context)
    return render(request, "social/people.html", context)


def followers(request, username):
    return _people(request, username, "followers")


def following(request, username):
    return _people(request, username, "following")


@login_required_htmx
def follow_requests(request):
    page = social_selectors.follow_requests_page(request.user, request.GET.get("cursor"))
    context = {"page": page}
    if request.htmx and request.GET.get("cursor"):
        return render(request, "social/requests.html#requests-page", context)
    context["pending_requests"] = social_selectors.follow_request_pending_count(request.user)
    return render(request, "social/requests.html", context)


def _request_action(request, username, accept: bool):
    requester = user_get_by_username(username)
    if accept:
        done = graph.follow_request_accept(target=request.user, requester=requester)
    else:
        done = graph.follow_request_decline(target=request.user, requester=requester)
    if request.htmx:  # the row's answer, and the waiting requests' count dropped in place (out of band)
        context = {"requester": requester, "accepted": accept, "done": done,
                   "pending_requests": social_selectors.follow_request_pending_count(request.user)}
        return render(request, "social/_request_result.html", context)
    return redirect(back_url(request, "/notifications/requests/"))


@require_POST
@login_required_htmx
def request_accept(request, username):
    return _request_action(request, username, accept=True)


@require_POST
@login_required_htmx
def request_decline(request, username):
    return _request_action(request, username, accept=False)


@login_required_htmx
def notifications(request):
    cursor = request.GET.get("cursor")
    page = social_selectors.notifications_page(request.user, cursor)
    context = {"page": page, "pending_requests": social_selectors.follow_request_pending_count(request.user)}
    if request.htmx and cursor:
        return render(request, "social/notifications.html#notifications-page", context)
    # viewing the page marks them read; the page already holds them, so new ones are still
    # highlighted this once, and the nav badge knows it is zero without counting
    social_services.notifications_mark_read(user=request.user)
    return render(request, "social/notifications.html", context)


@require_GET
def notifications_badge(request):
    """The nav's unread badge alone, which the nav polls (`hx-trigger="every Ns"`): the cached count
    (selectors.unread_badge_count: no query while cached). The poll sends X-Background: 1, so it is
    no activity for the session's idle timeout (accounts.middleware). Signed out (or the session
    just expired): nothing, and 286 tells htmx to stop polling."""
    if not request.user.is_authenticated:
        return HttpResponse("", status=286)
    return render(request, "includes/nav.html#nav-badge")


@login_required_htmx
def explore(request):
    """Explore's grid in keyset pages: the "More posts" link (a real link) is fetched by htmx when it
    scrolls into view and replaced by the next page's tiles (infinite scroll)."""
    cursor = request.GET.get("cursor") or None
    page = social_selectors.explore_page(request.user, cursor)
    suffix = f"?cursor={page.next_cursor}" if page.next_cursor else ""
    url = reverse("social:explore") + suffix
    context = {"page": page, "more_url": url, "more_hx_url": url, "eager_count": 0 if cursor else 6}
    if request.htmx and cursor:
        return render(request, "posts/_grid.html#grid-page", context)
    return render(request, "social/explore.html", context)


@login_required_htmx
def suggested(request):
    """"Suggested for you" (selectors.suggestions_for): the feed's side column and its end fetch the
    list with htmx when they come into view (`place`: aside or end, which keeps their rows' ids
    apart); without JavaScript, the links there open this page."""
    place = request.GET.get("place", "")
    place = place if place in ("aside", "end") else ""
    size = social_selectors.SUGGESTIONS_SIZE if place else social_selectors.PEOPLE_PAGE_SIZE
    context = {"people": social_selectors.suggestions_for(request.user, size), "place": place}
    if request.htmx and place:
        return render(request, "social/suggestions.html#suggestions-list", context)
    return render(request, "social/suggestions.html", context)


def search(request):
    q = request.GET.get("q", "").replace("\x00", "")[:100]  # PostgreSQL text cannot hold NUL
    users = social_selectors.search_users(request.user, q) if q.strip() else []
    tags = (
        social_selectors.search_hashtags(request.user, q)
        if q.strip() and not q.strip().startswith("@")
        else []
    )
    context = {"q": q, "users": users, "tags": tags}
    if request.htmx and request.htmx.target == "search-results":
        return render(request, "social/search.html#search-results", context)
    return render(request, "social/search.html", context)
