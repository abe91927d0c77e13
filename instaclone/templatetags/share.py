"""`{% absolute_uri url %}`: the URL as the outside world reaches it (`request.build_absolute_uri`),
for link previews (Open Graph) and the "copy link" box; an absolute URL (a CDN's) is kept as it is.
Without a request in the context the URL is returned unchanged."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def absolute_uri(context, url: str = "") -> str:
    request = context.get("request")
    if request is None:
        return url
    return request.build_absolute_uri(url or None)
