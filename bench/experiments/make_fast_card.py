"""Derive bench/experiments/fast_card/ from the current post card templates.

The experiment: a card reverses its URLs once (`post_url`, `author_url` in a {% with %}) and builds
the others by string joins, instead of ~15 {% url %} / get_absolute_url calls per card. Run this
again whenever posts/templates/posts/_card.html, _actions.html or _comments.html change, then

    DATABASE_URL=sqlite:///bench/out/bench-main.sqlite3 .venv/bin/python bench/profile.py / -n 100 --no-profile
    DATABASE_URL=sqlite:///bench/out/bench-main.sqlite3 .venv/bin/python bench/profile.py / -n 100 --no-profile --experiment fast_card

It relies on the URL shapes of posts/urls.py (/p/<pk>/like/ …); it is a measurement, not a fix.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
SRC = ROOT / "posts" / "templates" / "posts"
OUT = Path(__file__).resolve().parent / "fast_card" / "posts"

POST_URLS = {
    "{% url 'posts:unlike' post.pk %}": "{{ post_url }}unlike/",
    "{% url 'posts:like' post.pk %}": "{{ post_url }}like/",
    "{% url 'posts:unsave' post.pk %}": "{{ post_url }}unsave/",
    "{% url 'posts:save' post.pk %}": "{{ post_url }}save/",
    "{% url 'posts:liked_by' post.pk %}": "{{ post_url }}likes/",
    "{% url 'posts:comments' post.pk %}": "{{ post_url }}comments/",
    "{% url 'posts:comment_delete' post.pk comment.pk %}": "{{ post_url }}comments/{{ comment.pk }}/delete/",
    "{{ post.get_absolute_url }}": "{{ post_url }}",
    "{{ post.author.get_absolute_url }}": "{{ author_url }}",
}


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    card = (SRC / "_card.html").read_text()
    for old, new in POST_URLS.items():
        card = card.replace(old, new)
    opening = '<article class="post-card card" id="post-{{ post.pk }}">'
    assert opening in card, "the card's <article> changed: update make_fast_card.py"
    card = card.replace(
        opening,
        "{% with post_url=post.get_absolute_url author_url=post.author.get_absolute_url %}" + opening,
    )
    card = card.rstrip("\n") + "{% endwith %}\n"
    (OUT / "_card.html").write_text(card)
    for name in ("_actions.html", "_comments.html"):
        text = (SRC / name).read_text()
        for old, new in POST_URLS.items():
            text = text.replace(old, new)
        (OUT / name).write_text(text)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
