"""Direct's pages: thin views over social.messages.selectors (reads, with the membership check that
404s everyone else) and social.messages.services (writes). Every page works without JavaScript
(plain forms, POST then redirect); with htmx the same views answer their page's partials:
"direct/inbox.html#thread-page" (inbox and requests' "More"), "direct/conversation.html#message"
(a sent message, the live catch-up), "#older-messages", "#seen-status". A refused action reaches
the person once: on the form it came from, or through `error_response` (the site's error page, or
for htmx the `showToast` line), with the service's status (403, 404, 429)."""

from __future__ import annotations

from django.contrib import messages as flash
from django.core.exceptions import BadRequest, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from instaclone.errors import DomainError, add_to_form
from instaclone.htmx import back_url, login_required_htmx
from instaclone.media.images import UploadRejected
from instaclone.pagination import MAX_ID
from instaclone.views import error_response
from posts.selectors import post_get_for_viewer

from . import selectors, services
from .forms import GroupNameForm, MessageForm
from .models import Participant


def _refused(request, exc: DomainError):
    """A refused action through the one error channel (a toast for htmx, else the error page); a
    rate limit says when to try again (Retry-After, seconds)."""
    response = error_response(request, getattr(exc, "status", 400), message=exc.message)
    if getattr(exc, "retry_after", None) is not None:
        response["Retry-After"] = str(max(1, exc.retry_after))
    return response


def _recipients_refusal(recipients: selectors.Recipients) -> str | None:
    """Why the names a send asked for cannot all be reached (the form shows it, 400), or None."""
    if recipients.too_many:
        return f"A group can have at most {selectors.settings_group_max()} people, you included."
    if recipients.missing:
        return "We couldn't find " + ", ".join(recipients.missing) + ". Check the names and choose again."
    return None


def _conversation_url(pk: int) -> str:
    return reverse("direct:conversation", args=[pk])


def _int_param(value) -> int | None:
    """A positive id from a query or form value, or None (bad ids are a 400 or a 404, never a 500)."""
    value = (value or "").strip()
    if not value.isascii() or not value.isdigit() or len(value) > 19:
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


# --- inbox and requests -------------------------------------------------------------------------


def _threads(request, state: str, template: str, title: str):
    cursor = request.GET.get("cursor") or None
    page = selectors.threads_page(request.user, state=state, cursor=cursor)
    context = {"page": page, "state": state, "title": title, "requests_count": selectors.requests_count(request.user)}
    if request.htmx and (cursor or request.htmx.target == "threads"):
        # "More", or the first page again (the list's hx-trigger on live:message and live:open)
        return render(request, f"{template}#thread-page", context)
    return render(request, template, context)


@require_GET
@login_required_htmx
def inbox(request):
    """The conversations in the viewer's inbox by last message, unread ones bold with a dot."""
    return _threads(request, Participant.State.INBOX, "direct/inbox.html", "Messages")


@require_GET
@login_required_htmx
def requests(request):
    """Message requests: from people the viewer does not follow. Accept, delete or block each."""
    return _threads(request, Participant.State.REQUEST, "direct/inbox.html", "Message requests")


@require_GET
def badge(request):
    """The nav's Direct badge alone (the live helper refreshes it on {"type": "badge"} events)."""
    if not request.user.is_authenticated:
        return HttpResponse("", status=286)
    return render(request, "includes/nav.html#nav-direct-badge")


# --- a new conversation --------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@login_required_htmx
def new(request):
    """Choose people (a search that works as a plain GET form; checked people stay chosen across
    searches) and send the first message. `?to=<username>` alone (a profile's "Message" button)
    opens the one-to-one when there is one."""
    data = request.POST if request.method == "POST" else request.GET
    chosen = selectors.people_by_username(request.user, data.getlist("to"))
    q = selectors.people_query(data.get("q"))
    if request.method != "POST" and len(chosen) == 1 and set(request.GET) == {"to"}:
        existing = selectors.direct_conversation_with(request.user, chosen[0])
        if existing is not None:
            return redirect(_conversation_url(existing.pk))
    chosen_ids = {u.pk for u in chosen}
    results = [u for u in selectors.people_to_message(request.user, q) if u.pk not in chosen_ids] if q else []
    context = {"chosen": chosen, "results": results, "q": q, "name": data.get("name", ""), "text": data.get("text", ""),
               "group_max": selectors.settings_group_max(), "errors": []}
    if request.htmx and request.method != "POST":
        return render(request, "direct/new.html#people", context)
    if request.method != "POST":
        return render(request, "direct/new.html", context)
    recipients = selectors.people_named(request.user, data.getlist("to"))
    refusal = _recipients_refusal(recipients)
    if refusal is None and not recipients.found:
        refusal = "Choose who to send it to."
    if refusal:
        context["errors"] = [refusal]
        return render(request, "direct/new.html", context, status=400)
    chosen = context["chosen"] = recipients.found
    try:
        conversation, _ = services.conversation_create(
            sender=request.user, recipients=chosen, name=data.get("name", ""), text=data.get("text", ""),
            photo=request.FILES.get("photo"),
        )
    except (DomainError, ValidationError) as exc:
        status = getattr(exc, "status", 400)
        if status == 429:
            return _refused(request, exc)
        context["errors"] = [getattr(exc, "message", None) or "; ".join(exc.messages)]
        return render(request, "direct/new.html", context, status=status)
    url = _conversation_url(conversation.pk) + "#latest"
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


# --- one conversation ----------------------------------------------------------------------------


def _page_context(request, participant, *, form=None, cursor=None) -> dict:
    thread = selectors.thread_get(request.user, participant, cursor=cursor)
    newest = thread.messages[-1] if thread.messages and not cursor else None
    return {
        "thread": thread,
        "conversation": thread.conversation,
        "participant": participant,
        "is_request": participant.state == Participant.State.REQUEST,
        "form": form or MessageForm(),
        "seen": selectors.seen_line(request.user, thread.members, thread.conversation, newest),
        "refusal": selectors.composer_refusal(request.user, participant, thread.others),
        "last_id": thread.messages[-1].pk if thread.messages else 0,
    }


@require_GET
@login_required_htmx
def conversation(request, pk):
    """A conversation, newest messages at the bottom; "Older messages" at the top goes back in
    time (keyset on the message id). Opening it from the inbox marks it seen (as the notifications
    page marks notifications read); a request is not marked seen until it is accepted."""
    participant = selectors.participant_get(request.user, pk)
    if request.htmx and request.htmx.target == "direct-aside-threads":
        # the list beside it again (its hx-trigger: live:message, live:open), nothing marked seen
        return render(request, "direct/conversation.html#aside-threads", {"conversation": participant.conversation, **_aside(request)})
    cursor = request.GET.get("cursor") or None
    context = _page_context(request, participant, cursor=cursor)
    if request.htmx and cursor:
        return render(request, "direct/conversation.html#older-messages", context)
    if not cursor and participant.state == Participant.State.INBOX and context["last_id"] > participant.last_read_id:
        services.conversation_seen(user=request.user, conversation_id=participant.conversation_id, message_id=context["last_id"])
    return render(request, "direct/conversation.html", {**context, **_aside(request)})


def _aside(request) -> dict:
    """The inbox's first page beside the conversation (wide screens; CSS hides it on phones), read
    after the seen mark so the open thread is no longer bold."""
    return {"threads": selectors.threads_page(request.user, size=ASIDE_SIZE), "requests_count": selectors.requests_count(request.user)}


ASIDE_SIZE = 15


@require_GET
@login_required_htmx
def after(request, pk):
    """The live catch-up: the messages newer than `?after=<message id>` as the page's own `<li>`
    partials, oldest first, at most AFTER_LIMIT, with the header `Direct-More: 1` when there are
    more after them (members only; 404 otherwise; a bad id is a 400)."""
    participant = selectors.participant_get(request.user, pk)
    raw = request.GET.get("after", "")
    after_id = 0 if raw == "0" else _int_param(raw)
    if after_id is None:
        raise BadRequest("after must be a message id.")
    items = selectors.messages_after(request.user, participant, after_id, limit=selectors.AFTER_LIMIT + 1)
    more = len(items) > selectors.AFTER_LIMIT
    response = render(request, "direct/conversation.html#messages",
                      {"messages": items[: selectors.AFTER_LIMIT], "conversation": participant.conversation})
    if more:
        response[AFTER_MORE_HEADER] = "1"  # direct.js asks again from the newest it got
    return response


AFTER_MORE_HEADER = "Direct-More"


@require_POST
@login_required_htmx
def send(request, pk):
    """Send a text or a photo. htmx: the new message's `<li>` (appended to the list); without
    JavaScript: back to the conversation. A refused message re-shows the page with the form's error
    (htmx: a toast), with the service's status."""
    participant = selectors.participant_get(request.user, pk)
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            message = services.message_send(
                sender=request.user, conversation=participant.conversation,
                text=form.cleaned_data["text"], photo=form.cleaned_data["photo"],
            )
        except (DomainError, ValidationError) as exc:
            if request.htmx or getattr(exc, "status", 400) in (403, 404, 429):
                return _refused(request, exc if isinstance(exc, DomainError) else DomainError("; ".join(exc.messages)))
            add_to_form(form, exc, field="photo" if isinstance(exc, UploadRejected) else None)
            participant = selectors.participant_get(request.user, pk)
            context = {**_page_context(request, participant, form=form), **_aside(request)}
            return render(request, "direct/conversation.html", context, status=400)
        if request.htmx:
            item = selectors.message_for_member(request.user, participant, message.pk)
            return render(request, "direct/conversation.html#message", {"m": item, "conversation": participant.conversation})
        return redirect(_conversation_url(pk) + "#latest")
    if request.htmx:  # the form's own checks (a null character in the text, a file that is no file)
        return error_response(request, 400, message=next(iter(form.errors.values()))[0])
    return render(request, "direct/conversation.html", {**_page_context(request, participant, form=form), **_aside(request)}, status=400)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required_htmx
def seen(request, pk):
    """POST `message`: the viewer has seen the conversation up to that message (direct.js, when a
    message arrives while the page is visible): 204. GET: the "Seen" line under the newest message
    (direct.js refreshes it on a {"type": "seen"} event)."""
    participant = selectors.participant_get(request.user, pk)
    if request.method == "POST":
        message_id = _int_param(request.POST.get("message"))
        if participant.state == Participant.State.INBOX:
            services.conversation_seen(user=request.user, conversation_id=pk, message_id=message_id)
        return HttpResponse(status=204) if request.htmx or request.headers.get("X-Requested-With") else redirect(_conversation_url(pk))
    members = selectors.members_get(request.user, participant)
    newest = selectors.messages_newest(request.user, participant)
    text = selectors.seen_line(request.user, members, participant.conversation, newest)
    return render(request, "direct/conversation.html#seen-status", {"seen": text})


@require_POST
@login_required_htmx
def accept(request, pk):
    selectors.participant_get(request.user, pk)
    services.request_accept(user=request.user, conversation_id=pk)
    return _go(request, _conversation_url(pk) + "#latest")


@require_POST
@login_required_htmx
def decline(request, pk):
    """Delete a message request (it comes back if the same person writes again)."""
    participant = selectors.participant_get(request.user, pk)
    try:
        services.request_delete(user=request.user, conversation_id=participant.conversation_id)
    except DomainError as exc:
        return _refused(request, exc)
    flash.success(request, "Request deleted.")
    return _go(request, reverse("direct:requests"))


@require_POST
@login_required_htmx
def block(request, pk):
    """Block the person behind a one-to-one request, and delete the request."""
    participant = selectors.participant_get(request.user, pk)
    try:
        blocked = services.request_block(user=request.user, conversation_id=participant.conversation_id)
    except DomainError as exc:
        return _refused(request, exc)
    flash.success(request, f"You blocked {blocked.username}." if blocked else "Request deleted.")
    return _go(request, reverse("direct:requests"))


def _go(request, url: str):
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_POST
@login_required_htmx
def delete(request, pk):
    """Delete your own message for everyone (others' messages: 403; not a member: 404)."""
    message_id = pk if 0 < pk <= MAX_ID else None
    if message_id is None:
        raise Http404("No such message.")
    message = selectors.message_get_for_member(request.user, message_id)
    try:
        services.message_delete(user=request.user, message=message)
    except DomainError as exc:
        return _refused(request, exc)
    if request.htmx:
        return HttpResponse("")  # the message's <li> is swapped for nothing
    return redirect(_conversation_url(message.conversation_id) + "#latest")


# --- groups --------------------------------------------------------------------------------------


@require_GET
@login_required_htmx
def details(request, pk):
    """A conversation's people; for a group also its name, "Add people" and "Leave"."""
    participant = selectors.participant_get(request.user, pk)
    members = selectors.members_get(request.user, participant)
    others = [p for p in members if p.user_id != request.user.pk]
    context = {
        "conversation": participant.conversation, "participant": participant, "members": members,
        "title": selectors.conversation_title(participant.conversation, others),
        "name_form": GroupNameForm(initial={"name": participant.conversation.name}),
    }
    return render(request, "direct/details.html", context)


@require_POST
@login_required_htmx
def rename(request, pk):
    participant = selectors.participant_get(request.user, pk)
    try:
        services.group_rename(user=request.user, conversation_id=participant.conversation_id, name=request.POST.get("name", ""))
    except DomainError as exc:
        return _refused(request, exc)
    flash.success(request, "Group name changed.")
    return _go(request, reverse("direct:details", args=[pk]))


@require_http_methods(["GET", "HEAD", "POST"])
@login_required_htmx
def add(request, pk):
    """Add people to a group: the same chooser as a new conversation. Only from the group in your
    inbox: a group that is still a request for you is 404 here, as its service answers."""
    participant = selectors.participant_get(request.user, pk)
    if participant.state != Participant.State.INBOX:
        raise Http404("No such conversation.")
    data = request.POST if request.method == "POST" else request.GET
    chosen = selectors.people_by_username(request.user, data.getlist("to"))
    q = selectors.people_query(data.get("q"))
    members = {p.user_id for p in selectors.members_get(request.user, participant)}
    chosen = [u for u in chosen if u.pk not in members]
    chosen_ids = {u.pk for u in chosen} | members
    results = [u for u in selectors.people_to_message(request.user, q) if u.pk not in chosen_ids] if q else []
    context = {"conversation": participant.conversation, "chosen": chosen, "results": results, "q": q,
               "adding": True, "group_max": selectors.settings_group_max(), "errors": []}
    if request.htmx and request.method != "POST":
        return render(request, "direct/new.html#people", context)
    if request.method != "POST":
        return render(request, "direct/new.html", context)
    recipients = selectors.people_named(request.user, data.getlist("to"))
    refusal = _recipients_refusal(recipients)
    if refusal:
        context["errors"] = [refusal]
        return render(request, "direct/new.html", context, status=400)
    try:
        added = services.group_add(user=request.user, conversation_id=pk, people=recipients.found)
    except DomainError as exc:
        if exc.status == 429:
            return _refused(request, exc)
        context["errors"] = [exc.message]
        return render(request, "direct/new.html", context, status=exc.status)
    flash.success(request, f"Added {', '.join(u.username for u in added)}.")
    return _go(request, reverse("direct:details", args=[pk]))


@require_POST
@login_required_htmx
def leave(request, pk):
    participant = selectors.participant_get(request.user, pk)
    try:
        services.group_leave(user=request.user, conversation_id=participant.conversation_id)
    except DomainError as exc:
        return _refused(request, exc)
    flash.success(request, "You left the group.")
    return _go(request, reverse("direct:inbox"))


# --- sharing a post, replying to a story ---------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@login_required_htmx
def share(request, post_id):
    """Send a post (the post card's share menu): to recent conversations (`c`) and to people found
    by name (`to`), with an optional message. Each recipient sees the card only if they may see the
    post. Done: back to where the person was, with "Sent"."""
    post = post_get_for_viewer(request.user, post_id)
    data = request.POST if request.method == "POST" else request.GET
    chosen = selectors.people_by_username(request.user, data.getlist("to"))
    q = selectors.people_query(data.get("q"))
    chosen_ids = {u.pk for u in chosen}
    recent = selectors.threads_page(request.user, size=8).items
    picked = {c for c in (_int_param(v) for v in data.getlist("c")) if c}
    results = [u for u in selectors.people_to_message(request.user, q) if u.pk not in chosen_ids] if q else []
    back = back_url(request, post.get_absolute_url())
    context = {"post": post, "recent": recent, "picked": picked, "chosen": chosen, "results": results, "q": q,
               "text": data.get("text", ""), "back": back, "errors": []}
    if request.method != "POST":
        return render(request, "direct/share.html", context)
    recipients = selectors.people_named(request.user, data.getlist("to"))
    refusal = _recipients_refusal(recipients)
    if refusal is None and not picked and not recipients.found:
        refusal = "Choose who to send it to."
    if refusal:
        context["errors"] = [refusal]
        return render(request, "direct/share.html", context, status=400)
    chosen = recipients.found
    try:
        with transaction.atomic():  # to everyone chosen, or (one refused) to no one
            for conversation_id in sorted(picked):
                member = selectors.participant_get(request.user, conversation_id)
                services.message_send(sender=request.user, conversation=member.conversation, text=data.get("text", ""), post_id=post.pk)
            for person in chosen:
                existing = selectors.direct_conversation_with(request.user, person)
                if existing is not None and existing.pk in picked:
                    continue  # chosen twice (a recent conversation and by name): sent once
                services.conversation_create(sender=request.user, recipients=[person], text=data.get("text", ""), post_id=post.pk)
    except DomainError as exc:
        if exc.status in (404, 429):
            return _refused(request, exc)
        context["errors"] = [exc.message]
        return render(request, "direct/share.html", context, status=exc.status)
    flash.success(request, "Sent")
    return _go(request, back)


@require_POST
@login_required_htmx
def story_reply(request, story_id):
    """Reply to a story (the contract with posts/stories: POST `text`). htmx: a "Sent" toast;
    without JavaScript: the conversation with the story's author."""
    try:
        conversation, _ = services.story_reply(sender=request.user, story_id=story_id, text=request.POST.get("text", ""))
    except DomainError as exc:
        return _refused(request, exc)
    if request.htmx:
        return trigger_client_event(HttpResponse(status=204), "directToast", "Sent")
    return redirect(_conversation_url(conversation.pk) + "#latest")

