from django.conf import settings
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers

# Features this site never uses: no page (or anything injected into one) may ask for them.
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "hid=(), magnetometer=(), microphone=(), midi=(), payment=(), screen-wake-lock=(), serial=(), "
    "usb=(), xr-spatial-tracking=()"
)


class MethodNotAllowedPageMiddleware:
    """Give Django's empty 405 answers (a GET on a like or follow URL, say) a small page a person
    can read, with the status and the Allow header unchanged. htmx requests keep the bare answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not response.content and not getattr(request, "htmx", False):
            parent = request.path.rstrip("/").rsplit("/", 1)[0] + "/"
            page = render(request, "405.html", {"parent": parent, "status": 405}, status=405)
            if response.has_header("Allow"):
                page["Allow"] = response["Allow"]
            return page
        return response


def _signed_in(request) -> bool:
    """Whether the response is for a signed-in person. A request whose user cannot be loaded (the
    database or the session cache is down) counts as signed in when it carries a session cookie: the safe side."""
    user = getattr(request, "user", None)
    if user is None:
        return False
    try:
        return bool(user.is_authenticated)
    except Exception:  # noqa: BLE001 - database or session cache down: decide without them
        return settings.SESSION_COOKIE_NAME in request.COOKIES


class SecurityHeadersMiddleware:
    """Headers Django has no setting for (django-csp adds the Content-Security-Policy):

    - `Permissions-Policy`: camera, microphone, geolocation and the rest are off on every page
      (settings.PERMISSIONS_POLICY overrides the value);
    - HTML answered to a signed-in person is never stored by a browser or a shared cache:
      `Cache-Control: max-age=0, no-cache, no-store, must-revalidate, private` (Django's
      `add_never_cache_headers`) and `Vary: Cookie`. `no-store` rather than `private, no-cache`:
      feeds, messages, notifications and settings must not stay on a shared computer's disk or come
      back with the Back button after logout, and these pages have no validators to revalidate
      against anyway. A response that already chose its caching (media) is only made `private`.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.permissions_policy = getattr(settings, "PERMISSIONS_POLICY", PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        if self.permissions_policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = self.permissions_policy
        if response.get("Content-Type", "").startswith("text/html") and _signed_in(request):
            if response.has_header("Cache-Control"):
                patch_cache_control(response, private=True)
            else:
                add_never_cache_headers(response)
            patch_vary_headers(response, ["Cookie"])
        return response
