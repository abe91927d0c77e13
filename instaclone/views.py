from django.conf import settings
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.views.static import serve


def favicon(request):
    """Browsers ask for /favicon.ico on every page (the admin has no icon link); point them at ours
    instead of letting the request fall through to the /<username>/ catch-all."""
    return HttpResponsePermanentRedirect(static("img/logo.svg"))


def media(request, path):
    """Serve local media when no separate web server does (development, demo, benchmarks)."""
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    return response
