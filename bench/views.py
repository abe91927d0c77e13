"""The two ceilings the pages are measured against (routes exist only under bench.settings).

- `bare`: the same middleware stack as every page, a tiny response, no template, no query of its
  own. The most a request can cost the framework and gunicorn.
- `feed_ceiling`: the real home feed template (social/home.html) rendered from objects held in
  memory. The viewer's first request loads the page once through the real selectors; every later
  request renders the same objects again with no database work of its own (the session and user
  lookups of the middleware stay, as on every page). The feed page's cost minus this is what the
  database and the feed's Python work cost.
"""

from django.http import Http404, HttpResponse
from django.shortcuts import render

_feed_contexts: dict[int, dict] = {}


def bare(request):
    return HttpResponse(b"ok", content_type="text/plain")


def _feed_context(user) -> dict:
    try:
        from posts.selectors import cards_context
        from social.selectors import feed_page
    except ImportError:
        raise Http404("The feed does not exist yet.")
    page = feed_page(user, None)
    items = list(page.items)
    return {"page": page, **cards_context(user, items)}


def feed_ceiling(request):
    if not request.user.is_authenticated:
        raise Http404("Sign in first.")
    context = _feed_contexts.get(request.user.pk)
    if context is None:
        context = _feed_contexts[request.user.pk] = _feed_context(request.user)
    return render(request, "social/home.html", context)
