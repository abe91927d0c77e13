"""The client API: accounts, relationships, follow requests and blocks (issue 14).

Thin views over the pages' own reads and writes: people are found through
`User.objects.visible_to(viewer)` (accounts.selectors: a blocked, blocking or suspended person is a
404, as their profile page is), lists through social.selectors (followers, following, requests,
blocks, search) and posts.selectors (the profile grid), and every change through accounts' graph
and profile services. How the viewer stands towards people is `accounts.selectors.relationships`
(one query for any number).

Differences from Mastodon, by design:
- a private account's statuses, followers and following are an empty list for someone who may not
  see them (the web answers its lists with 404; Mastodon answers hidden collections with []);
- `blocked_by` is always false and a person who blocked the viewer is left out of relationships:
  the site never tells anyone they were blocked;
- unblock, unfollow, block and remove_from_followers reach any active person, as the pages' buttons
  do (a block must be possible against someone who blocked you first); follow needs a visible one.
"""

from __future__ import annotations

import copy

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.urls import path

from accounts import selectors as account_selectors
from accounts.forms import ProfileForm
from accounts.services import graph, profile_update
from instaclone.api import (
    ApiError,
    Params,
    endpoint,
    json_page,
    methods,
    object_id,
    page_params,
    parse_id,
    validation_failed,
)
from instaclone.media.files import StorageError
from instaclone.media.images import UploadRejected
from instaclone.pagination import Page
from posts.selectors import profile_grid_page
from social import selectors as social_selectors

from . import serializers

MAX_RELATIONSHIP_IDS = 80  # ids per relationships request (Mastodon's own page of accounts)


# --- helpers -------------------------------------------------------------------------------------


def _visible_account(request, id):  # noqa: A002 - Mastodon's path parameter
    """The account `id` names, if the viewer may see it (404 otherwise: unknown, suspended, or a
    block either way)."""
    return account_selectors.user_get_by_id_for_viewer(request.user, object_id(id))


def _relationship(viewer, user_id: int) -> dict:
    flags = account_selectors.relationships(viewer, [user_id]).get(user_id, {})
    return serializers.relationship(user_id, **flags)


def _graph_action(action):
    """Run a graph service: a refusal is Mastodon's 422 with the service's message, except "no
    such user" (a block either way, a suspended account), which is the 404 a lookup would give."""
    try:
        return action()
    except graph.NotVisibleError:
        raise Http404 from None
    except graph.RelationshipError as exc:
        raise ApiError(422, exc.message) from None


def _accounts(users, request) -> list[dict]:
    return [serializers.account(u, request) for u in users]


def _people_page(request, page: Page, users) -> JsonResponse:
    return json_page(request, page, _accounts(users, request))


# --- oneself -------------------------------------------------------------------------------------


@endpoint(scope="read:accounts", unconfirmed=True)
def verify_credentials(request):
    """The token's own account with `source` (one query: the follow requests waiting)."""
    waiting = social_selectors.follow_request_pending_count(request.user)
    return JsonResponse(serializers.account(request.user, request, source=True, follow_requests_count=waiting))


# Mastodon's parameter -> the profile form's field, and back for error details.
_PROFILE_FIELDS = {"display_name": "display_name", "note": "bio", "locked": "is_private", "avatar": "avatar_upload"}
_API_FIELD = {form: api for api, form in _PROFILE_FIELDS.items()}


def _validation_failed(errors: dict[str, list[str]]) -> JsonResponse:
    """Mastodon's 422 for a refused change, under Mastodon's field names."""
    return validation_failed(
        {_API_FIELD.get(field, field): [("ERR_INVALID", m) for m in messages] for field, messages in errors.items()}
    )


def _avatar_max_body() -> int:
    """The largest update_credentials request: the largest avatar file plus room for the form."""
    return settings.AVATAR_MAX_BYTES + 1024 * 1024


@endpoint(scope="write:accounts", max_body=_avatar_max_body)
def update_credentials(request):
    """display_name, note (the bio), avatar (a file, through the settings page's avatar pipeline)
    and locked (a private account) - the settings page's form and `profile_update`; fields not sent
    keep their value. Making the account public accepts the waiting requests, as on the page."""
    params = Params(request)
    user = request.user
    data = {
        "display_name": params.text("display_name") if params.has("display_name") else user.display_name,
        "bio": params.text("note") if params.has("note") else user.bio,
        "website": user.website,
        "is_private": params.boolean("locked") if params.has("locked") else user.is_private,
    }
    files = {"avatar_upload": params.files["avatar"]} if "avatar" in params.files else {}
    # The form is bound to a copy: a refused change must not be left on the token's user object.
    form = ProfileForm(data, files, instance=copy.copy(user))
    if not form.is_valid():
        return _validation_failed({field: list(errs) for field, errs in form.errors.items()})
    try:
        user = profile_update(
            user=user,
            display_name=form.cleaned_data["display_name"],
            bio=form.cleaned_data["bio"],
            website=form.cleaned_data["website"],
            is_private=form.cleaned_data["is_private"],
            avatar_upload=form.cleaned_data.get("avatar_upload"),
        )
    except UploadRejected as exc:  # the avatar pipeline refused the file
        return _validation_failed({"avatar_upload": [exc.message]})
    except StorageError as exc:  # nothing was written
        raise ApiError(503, exc.message) from None
    except ValidationError as exc:  # the model's own validation, run by the service
        return _validation_failed(exc.message_dict if hasattr(exc, "error_dict") else {"base": exc.messages})
    waiting = social_selectors.follow_request_pending_count(user)
    return JsonResponse(serializers.account(user, request, source=True, follow_requests_count=waiting))


# --- finding people --------------------------------------------------------------------------------


@endpoint(scope="read:accounts", auth="optional")
def lookup(request):
    """`acct=name` (or `name@this-host`): the account, or 404 for someone the viewer may not see."""
    acct = Params(request).text("acct").strip().lstrip("@")
    name, _, domain = acct.partition("@")
    if not name or (domain and domain.lower() != request.get_host().lower()):
        raise Http404  # no remote accounts here
    user = account_selectors.user_get_for_viewer(request.user, name)
    return JsonResponse(serializers.account(user, request))


@endpoint(scope="read:accounts", auth="optional")
def account_detail(request, id):  # noqa: A002
    return JsonResponse(serializers.account(_visible_account(request, id), request))


@endpoint(scope="read:accounts")
def search(request):
    """`q` (a username or name prefix), `limit`, `following=true` (only people the viewer follows);
    `resolve` is ignored (no remote accounts). Lists are never paged by OFFSET: the answer is the
    first `limit` matches, and an `offset` past 0 is the end of the list (an empty page, so a client
    paging by offset stops instead of seeing the same people again)."""
    params = Params(request)
    if (params.integer("offset", 0) or 0) > 0:
        return JsonResponse([], safe=False)
    limit = max(1, min(params.integer("limit", 40) or 40, 80))
    users = social_selectors.search_users(
        request.user, params.text("q"), limit, following=params.boolean("following")
    )
    return JsonResponse(_accounts(users, request), safe=False)


# --- an account's lists ------------------------------------------------------------------------------


@endpoint(scope="read:statuses", auth="optional")
def statuses(request, id):  # noqa: A002
    """The profile grid's posts (posts.selectors.profile_grid_page), newest first, with Link headers.
    A private account's to someone who may not see them: an empty list. `pinned=true` is [] (nothing
    is pinned here); `only_media` changes nothing (every post has media); `exclude_replies` neither
    (replies are comments, never in this list); `tagged` and `exclude_reblogs` are ignored."""
    owner = _visible_account(request, id)
    params = Params(request)
    if params.boolean("pinned") or not owner.content_visible:
        return JsonResponse([], safe=False)
    cursor, limit = page_params(request, resolve=lambda pk: social_selectors.post_cursor_for(request.user, pk))
    page = profile_grid_page(request.user, owner, cursor, limit)
    return json_page(request, page, serializers.statuses(page.items, request))


def _people_list(which: str):
    pager = social_selectors.followers_page if which == "followers" else social_selectors.following_page

    @endpoint(scope="read:accounts", auth="optional")
    def view(request, id):  # noqa: A002
        """Who follows the account, or whom it follows, newest first, with Link headers; people the
        viewer may see only. A private account's lists are shown to its followers and itself (as
        the pages): to anyone else, an empty list."""
        owner = _visible_account(request, id)
        if not owner.content_visible:
            return JsonResponse([], safe=False)
        cursor, limit = page_params(request, max_limit=80)
        page = pager(request.user, owner, cursor, limit)
        return _people_page(request, page, page.items)

    view.__name__ = which
    return view


followers = _people_list("followers")
following = _people_list("following")


@endpoint(scope="read:accounts", auth="optional")
def featured_tags(request, id):  # noqa: A002
    """Nothing is featured here: an empty list for an account the viewer may see (clients ask on
    every profile)."""
    _visible_account(request, id)
    return JsonResponse([], safe=False)


@endpoint(scope="read:lists")
def account_lists(request, id):  # noqa: A002
    """There are no lists: an empty list for an account the viewer may see."""
    _visible_account(request, id)
    return JsonResponse([], safe=False)


@endpoint(scope="read:follows")
def relationships(request):
    """`id[]=..`: how the viewer stands towards each, in the order asked. Unknown, suspended and
    blocking accounts are left out (Mastodon leaves out what it cannot find)."""
    ids = []
    for value in Params(request).getlist("id")[:MAX_RELATIONSHIP_IDS]:
        number = parse_id(value)
        if number is not None and number not in ids:
            ids.append(number)
    found = account_selectors.relationships(request.user, ids)
    return JsonResponse([serializers.relationship(pk, **found[pk]) for pk in ids if pk in found], safe=False)


# --- the follow graph --------------------------------------------------------------------------------


@endpoint(scope="write:follows")
def follow(request, id):  # noqa: A002
    """Follow (a public account) or ask to (a private one: `requested`). Idempotent."""
    target = _visible_account(request, id)
    _graph_action(lambda: graph.follow_create(follower=request.user, followee=target))
    return JsonResponse(_relationship(request.user, target.pk))


@endpoint(scope="write:follows")
def unfollow(request, id):  # noqa: A002
    """Unfollow, or cancel a request (works after a block, as the page's button)."""
    target = account_selectors.user_get_by_id(object_id(id))
    _graph_action(lambda: graph.follow_delete(follower=request.user, followee=target))
    return JsonResponse(_relationship(request.user, target.pk))


@endpoint(scope="write:follows")
def remove_from_followers(request, id):  # noqa: A002
    target = account_selectors.user_get_by_id(object_id(id))
    _graph_action(lambda: graph.follower_remove(owner=request.user, follower=target))
    return JsonResponse(_relationship(request.user, target.pk))


@endpoint(scope="write:blocks")
def block(request, id):  # noqa: A002
    target = account_selectors.user_get_by_id(object_id(id))
    _graph_action(lambda: graph.block_create(blocker=request.user, blocked=target))
    return JsonResponse(_relationship(request.user, target.pk))


@endpoint(scope="write:blocks")
def unblock(request, id):  # noqa: A002
    target = account_selectors.user_get_by_id(object_id(id))
    _graph_action(lambda: graph.block_delete(blocker=request.user, blocked=target))
    return JsonResponse(_relationship(request.user, target.pk))


@endpoint(scope="read:blocks")
def blocks(request):
    """The people the viewer blocked, newest block first, with Link headers."""
    cursor, limit = page_params(request, max_limit=80)
    page = social_selectors.blocked_page(request.user, cursor, limit)
    return _people_page(request, page, [row.blocked for row in page.items])


# --- follow requests ---------------------------------------------------------------------------------


@endpoint(scope="read:follows")
def follow_requests(request):
    """The requests waiting for the viewer's answer, newest first, with Link headers."""
    cursor, limit = page_params(request, max_limit=80)
    page = social_selectors.follow_requests_page(request.user, cursor, limit)
    return _people_page(request, page, [row.requester for row in page.items])


def _answer_request(accept: bool):
    service = graph.follow_request_accept if accept else graph.follow_request_decline

    @endpoint(scope="write:follows")
    def view(request, id):  # noqa: A002
        """Accept or decline the request of account `id`: its Relationship; 404 when there is no
        such request (answered already, or withdrawn)."""
        requester = account_selectors.user_get_by_id(object_id(id))
        if not _graph_action(lambda: service(target=request.user, requester=requester)):
            raise Http404
        return JsonResponse(_relationship(request.user, requester.pk))

    view.__name__ = "authorize" if accept else "reject"
    return view


authorize = _answer_request(accept=True)
reject = _answer_request(accept=False)


urlpatterns = [
    path("v1/accounts/verify_credentials", methods(GET=verify_credentials), name="account_verify_credentials"),
    path("v1/accounts/update_credentials", methods(PATCH=update_credentials), name="account_update_credentials"),
    path("v1/accounts/lookup", methods(GET=lookup), name="account_lookup"),
    path("v1/accounts/relationships", methods(GET=relationships), name="account_relationships"),
    path("v1/accounts/search", methods(GET=search), name="account_search"),
    path("v1/accounts/<str:id>", methods(GET=account_detail), name="account"),
    path("v1/accounts/<str:id>/statuses", methods(GET=statuses), name="account_statuses"),
    path("v1/accounts/<str:id>/followers", methods(GET=followers), name="account_followers"),
    path("v1/accounts/<str:id>/following", methods(GET=following), name="account_following"),
    path("v1/accounts/<str:id>/featured_tags", methods(GET=featured_tags), name="account_featured_tags"),
    path("v1/accounts/<str:id>/lists", methods(GET=account_lists), name="account_lists"),
    path("v1/accounts/<str:id>/follow", methods(POST=follow), name="account_follow"),
    path("v1/accounts/<str:id>/unfollow", methods(POST=unfollow), name="account_unfollow"),
    path("v1/accounts/<str:id>/remove_from_followers", methods(POST=remove_from_followers),
         name="account_remove_from_followers"),
    path("v1/accounts/<str:id>/block", methods(POST=block), name="account_block"),
    path("v1/accounts/<str:id>/unblock", methods(POST=unblock), name="account_unblock"),
    path("v1/blocks", methods(GET=blocks), name="blocks"),
    path("v1/follow_requests", methods(GET=follow_requests), name="follow_requests"),
    path("v1/follow_requests/<str:id>/authorize", methods(POST=authorize), name="follow_request_authorize"),
    path("v1/follow_requests/<str:id>/reject", methods(POST=reject), name="follow_request_reject"),
]
