"""Media in templates: the one way pages show a post's image or video.

    {% load media_tags %}
    {% media_src item 640 %}                   URL of a rendition about 640 px wide
    {% media_srcset item %}                    "url 320w, url 640w, url 1080w"
    {% media_img item sizes="(max-width: 735px) 33vw, 300px" lazy=True css_class="tile__img" %}
    {{ post.caption|caption_html:post }}       caption with #hashtag and @mention links, escaped

Images always come from renditions (local copies or ImageKit transformations), never the original.
"""

from django import template
from django.utils.html import format_html

from instaclone.media.renditions import (
    original_url,
    rendition_src_and_srcset,
    rendition_srcset,
    rendition_url,
)
from posts.text import mention_names, render_caption

register = template.Library()


@register.simple_tag
def media_src(media, width=640):
    return rendition_url(media, int(width))


@register.simple_tag
def media_srcset(media):
    return rendition_srcset(media)


@register.simple_tag
def video_src(media):
    """A ready video plays its web copy (H.264/AAC MP4, transcoded by posts.tasks)."""
    return original_url(media)


VIDEO_STATUS_TEXT = {
    "processing": "Processing video…",
    "failed": "This video could not be processed",
}


@register.simple_tag
def media_img(media, sizes="100vw", lazy=False, css_class="", width=640, alt=None):
    """A complete <img> with src, srcset, sizes, width/height (no layout shift), alt text and
    loading="lazy" when asked (below the fold). For a video, its poster frame (if any); for a video
    that is not ready yet (or failed), a placeholder that says so (only its author sees such a post)."""
    status = getattr(media, "status", "ready")
    if media.kind == "video" and status in VIDEO_STATUS_TEXT:
        return format_html(
            '<span class="media-placeholder media-placeholder--{} {}" data-media-status="{}">'
            '<span class="media-placeholder__text">{}</span></span>',
            status, css_class, status, VIDEO_STATUS_TEXT[status],
        )
    src, srcset = rendition_src_and_srcset(media, int(width))
    if not src:
        return format_html('<span class="media-placeholder {}" role="img" aria-label="{}"></span>', css_class,
                           _alt(media, alt))
    return format_html(
        '<img class="{}" src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}" loading="{}" decoding="async">',
        css_class,
        src,
        srcset,
        sizes,
        media.width or int(width),
        media.height or int(width),
        _alt(media, alt),
        "lazy" if lazy else "eager",
    )


def _alt(media, alt):
    if alt is not None:
        return alt
    if media.alt_text:
        return media.alt_text
    return "Video" if media.kind == "video" else "Photo"


@register.filter
def caption_html(caption, post=None):
    """`{{ post.caption|caption_html:post }}`: @mentions link only to the people the post's stored
    mentions name (`post.mention_names`, a column of the page's read: `posts.sharing.with_mention_names`);
    without it, or for a post read without that column, mentions stay plain text."""
    return render_caption(caption, mention_names(getattr(post, "mention_names", None)))
