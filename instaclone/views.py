from django.conf import settings
from django.views.static import serve


def media(request, path):
    """Serve local media when no separate web server does (development, demo, benchmarks)."""
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    return response
