from django.shortcuts import render


class MethodNotAllowedPageMiddleware:
    """Give Django's empty 405 answers (a GET on a like or follow URL, say) a small page a person
    can read, with the status and the Allow header unchanged. htmx requests keep the bare answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not response.content and not getattr(request, "htmx", False):
            page = render(request, "405.html", {"parent": request.path.rstrip("/").rsplit("/", 1)[0] + "/"}, status=405)
            if response.has_header("Allow"):
                page["Allow"] = response["Allow"]
            return page
        return response
