# ruff: noqa: S704 - the helpers return HTML they escaped themselves (Django SafeStrings); Markup says so to Jinja2
"""Measurement only: the feed's 12 post cards rendered by Django's template engine (the app's
posts/_card.html) and by a Jinja2 port of the same markup, from the same objects in memory.

    .venv/bin/pip install -r bench/requirements.txt      # jinja2 is a benchmark-only dependency
    .venv/bin/python bench/experiments/jinja2_card.py [-n 300]

Uses the bench/cpu.py dataset (run that once first). Both engines get the same helpers (link(),
timeago, the media <img>, caption links), so the difference is the engines'. The script checks that
both produce the same text and the same set of attributes before timing them. The answer goes into
bench/RESULTS.md ("Template engines"); the app keeps one template language (see there why).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.update({
    "DJANGO_SETTINGS_MODULE": "bench.settings", "DEBUG": "0", "ALLOWED_HOSTS": "testserver", "HTTPS": "0",
    "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789abcdef", "LOG_LEVEL": "ERROR",
    "DATABASE_URL": f"sqlite:///{ROOT / 'bench' / 'out' / 'cpu.sqlite3'}",
    "BENCH_STATIC_ROOT": str(ROOT / "bench" / "out" / "static"),
})

import django  # noqa: E402

django.setup()

import jinja2  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.middleware.csrf import get_token  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django_htmx.middleware import HtmxDetails  # noqa: E402
from markupsafe import Markup  # noqa: E402

from accounts.models import User  # noqa: E402
from instaclone.links import link  # noqa: E402
from instaclone.templatetags.timeago import timeago  # noqa: E402
from posts.selectors import cards_context  # noqa: E402
from posts.templatetags.media_tags import caption_html, media_img  # noqa: E402
from social.selectors import feed_page  # noqa: E402

ICONS = {name: Markup((ROOT / "templates" / "components" / "icons" / f"_{name}.html").read_text().strip())
         for name in ("heart", "bookmark", "comment")}

CARD = r"""
{%- macro toggle(post, kind, on, url_on, url_off, label_on, label_off, icon, cls_on) -%}
{%- set action = link(url_on if on else url_off, post.pk) -%}
<form class="action-form {{ kind }}-form" method="post" action="{{ action }}" hx-post="{{ action }}" hx-target="this" hx-swap="outerHTML" hx-disabled-elt="this, find button" data-{{ 'liked' if kind == 'like' else 'saved' }}="{{ 'true' if on else 'false' }}">{{ csrf_input }}<input type="hidden" name="next" value="{{ next or here }}"><button class="icon-btn{{ ' ' ~ cls_on if on }}" type="submit" aria-pressed="{{ 'true' if on else 'false' }}" title="{{ label_on if on else label_off }}">{{ icons[icon] }}<span class="visually-hidden">{{ label_on if on else label_off }}</span></button></form>
{%- endmacro -%}
{%- macro comment_li(post, comment) -%}{%- set author = comment.author -%}{%- set author_url = author.get_absolute_url() -%}
<li class="comment" id="comment-{{ comment.pk }}">
  <a href="{{ author_url }}" tabindex="-1"><img class="avatar avatar--xs" src="{{ author.avatar_url }}" alt="" width="24" height="24"></a>
  <div class="comment__main">
    <a class="comment__author" href="{{ author_url }}">{{ author.username }}</a>
    <span class="comment__body">{{ comment.body_html }}</span>
    <div class="comment__meta muted">{{ timeago(comment.created) }}
    {% if user.is_authenticated %}{% if user.pk == comment.author_id or user.pk == post.author_id %}{% set delete_url = link('posts:comment_delete', post.pk, comment.pk) %}
      <form class="comment__delete" method="post" action="{{ delete_url }}" hx-post="{{ delete_url }}" hx-target="#comment-{{ comment.pk }}" hx-swap="outerHTML" hx-confirm="Delete this comment?" hx-disabled-elt="find button">
        {{ csrf_input }}<input type="hidden" name="next" value="{{ post.get_absolute_url() }}#comments">
        <button class="btn--link" type="submit">Delete</button>
      </form>
    {% endif %}{% if user.pk != comment.author_id %} <a class="menu-report comment__report" href="{{ link('social:report', 'comment', comment.pk) }}" hx-get="{{ link('social:report', 'comment', comment.pk) }}" hx-target="body" hx-swap="beforeend" rel="nofollow">Report</a>{% endif %}{% endif %}</div>
  </div>
</li>
{%- endmacro -%}
{%- for post in posts -%}{%- set author = post.author -%}{%- set post_url = post.get_absolute_url() -%}{%- set author_url = author.get_absolute_url() -%}
<article class="post-card card" id="post-{{ post.pk }}">
  <header class="post-card__header">
    <a href="{{ author_url }}" tabindex="-1"><img class="avatar avatar--sm" src="{{ author.avatar_url }}" alt="" width="32" height="32"></a>
    <a class="post-card__author" href="{{ author_url }}">{{ author.username }}</a>
    <span class="muted">·</span>
    <a class="post-card__time muted" href="{{ post_url }}">{{ timeago(post.created) }}</a>
  </header>
  <div class="post-card__media" data-double-tap-like>
    {% for media in post.media.all() %}{% if loop.first %}{{ media_img(media, sizes="(max-width: 740px) 100vw, 470px", lazy=True, css_class="post-card__img", width=1080) }}{% endif %}{% endfor %}
    {% if post.media_count > 1 %}<span class="post-card__badge" title="{{ post.media_count }} photos or videos">1/{{ post.media_count }}</span>{% endif %}
    <span class="double-tap-heart" aria-hidden="true">{{ icons.heart }}</span>
  </div>
  <div class="post-card__body">
    <div class="post-actions">
  {{ toggle(post, 'like', post.pk in liked_ids, 'posts:unlike', 'posts:like', 'Unlike', 'Like', 'heart', 'icon-btn--liked') }}
  <a class="icon-btn" href="{{ post_url }}#comment-form-{{ post.pk }}" title="Comment">{{ icons.comment }}<span class="visually-hidden">Comment</span></a>
  <span class="post-actions__spacer"></span>
  {{ toggle(post, 'save', post.pk in saved_ids, 'posts:unsave', 'posts:save', 'Remove from Saved', 'Save', 'bookmark', 'icon-btn--saved') }}
</div>
<p class="like-count" id="like-count-{{ post.pk }}">{% if post.like_count %}<a href="{{ link('posts:liked_by', post.pk) }}"><strong>{{ post.like_count }} like{{ 's' if post.like_count != 1 }}</strong></a>{% else %}<span class="muted">Be the first to like this</span>{% endif %}</p>
    {% if post.card_liked_by %}<p class="liked-by">Liked by <a href="{{ post.card_liked_by.get_absolute_url() }}">{{ post.card_liked_by.username }}</a>{% if post.like_count > 1 %} and <a href="{{ link('posts:liked_by', post.pk) }}">others</a>{% endif %}</p>{% endif %}
    {% if post.caption %}<p class="post-card__caption"><a class="post-card__author" href="{{ author_url }}">{{ author.username }}</a> {{ caption_html(post.caption) }}</p>{% endif %}
    <p class="comment-count muted" id="comment-count-{{ post.pk }}">{% if post.comment_count %}<a href="{{ post_url }}#comments">{{ post.comment_count }} comment{{ 's' if post.comment_count != 1 }}</a>{% else %}No comments yet{% endif %}</p>
    <ul class="comments__list comments__list--card" id="comments-{{ post.pk }}">
      {% for comment in post.card_comments %}{{ comment_li(post, comment) }}{% endfor %}
    </ul>
    {%- set comments_url = link('posts:comments', post.pk) %}
    <form class="comment-form" id="comment-form-{{ post.pk }}" method="post" action="{{ comments_url }}" hx-post="{{ comments_url }}" hx-target="this" hx-swap="outerHTML" hx-disabled-elt="find button">
    {{ csrf_input }}<input type="hidden" name="next" value="{{ next or here }}">
    <label class="visually-hidden" for="comment-body-{{ post.pk }}">Add a comment</label>
    <textarea id="comment-body-{{ post.pk }}" name="body" rows="1" maxlength="2200" placeholder="Add a comment…" required></textarea>
    <button class="btn btn--link comment-form__submit" type="submit">Post</button>
  </form>
  </div>
</article>
{% endfor %}
"""


def words(html: str) -> tuple[list[str], list[str]]:
    """What a reader and a browser get: the text, and every attribute (CSRF tokens masked)."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken"', html)
    text = re.sub(r"<[^>]+>", " ", html).split()
    attrs = sorted(re.findall(r'\s([a-z-]+="[^"]*")', html))
    return text, attrs


def timed(fn, n: int) -> tuple[float, float]:
    for _ in range(5):
        fn()
    cpu = []
    for _ in range(n):
        start = time.process_time()
        fn()
        cpu.append((time.process_time() - start) * 1000)
    return min(cpu), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=300)
    args = parser.parse_args()

    user = User.objects.get(username="probe_200")
    request = RequestFactory().get("/")
    request.user, request.session, request.htmx = user, SessionStore(), None
    request.htmx = HtmxDetails(request)
    page = feed_page(user, None)
    context = {"page": page, **cards_context(user, page.items)}

    env = jinja2.Environment(autoescape=True)
    env.globals.update(link=link, timeago=lambda v: Markup(timeago(v)), caption_html=lambda c: Markup(caption_html(c)),
                       media_img=lambda m, **kw: Markup(media_img(m, **kw)), icons=ICONS)
    card = env.from_string(CARD)

    def forget_urls():  # as in a real request: every author's URL is new to its object
        for post in page.items:
            for person in [post.author, post.card_liked_by, *[c.author for c in post.card_comments]]:
                if person is not None:
                    person.__dict__.pop("_absolute_url", None)

    def django_render():
        forget_urls()
        return render_to_string("social/home.html#feed-page", context, request=request)

    def jinja_render():
        forget_urls()
        return card.render(posts=page.items, user=user, here=request.get_full_path(), next=None,
                           csrf_input=Markup(f'<input type="hidden" name="csrfmiddlewaretoken" value="{get_token(request)}">'),
                           **context)

    dj_text, dj_attrs = words(django_render().split('<a class="btn btn--block feed__more"')[0])
    ji_text, ji_attrs = words(jinja_render())
    assert dj_text == ji_text, "the two renders differ in text"
    assert dj_attrs == ji_attrs, sorted(set(dj_attrs) ^ set(ji_attrs))[:10]
    dj, ji = timed(django_render, args.n), timed(jinja_render, args.n)
    print(f"12 cards, same objects, same helpers ({len(page.items)} posts, fastest / median of {args.n}):")
    print(f"  Django templates: {dj[0]:6.2f} / {dj[1]:6.2f} ms")
    print(f"  Jinja2:           {ji[0]:6.2f} / {ji[1]:6.2f} ms   ({dj[0] / ji[0]:.1f}x faster)")


if __name__ == "__main__":
    main()
