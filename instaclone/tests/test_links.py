"""instaclone.links.link(): the same URL as reverse() for routes taking integer ids, cheaper."""

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from instaclone.links import link


def _int_routes(patterns=None, namespace=""):
    """Every named route in the project whose arguments are all <int:…>."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _int_routes(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            converters = getattr(entry.pattern, "converters", {})
            if converters and all(type(c).__name__ == "IntConverter" for c in converters.values()):
                yield f"{namespace}{entry.name}", len(converters)


ROUTES = sorted(set(_int_routes()))


def test_the_project_has_id_routes_to_check():
    assert ("posts:like", 1) in ROUTES and ("posts:comment_delete", 2) in ROUTES


@pytest.mark.parametrize(("name", "arity"), ROUTES)
def test_link_is_what_reverse_returns(name, arity):
    for ids in ([7] * arity, list(range(1, arity + 1)), [2**62 + i for i in range(arity)]):
        assert link(name, *ids) == reverse(name, args=ids)


@pytest.mark.parametrize("username", ["ana", "ana.maria_2", "x-y~z", "Ünïcode", "a b", ".", "..", "%41", "é"])
def test_link_with_a_word_is_what_reverse_returns(username):
    assert link("profile", username) == reverse("profile", args=[username])


def test_link_refuses_what_reverse_refuses():
    with pytest.raises(NoReverseMatch):
        link("profile", "a/b")


def test_link_hands_anything_else_to_reverse():
    assert link("posts:like", "5") == reverse("posts:like", args=["5"])
    with pytest.raises(NoReverseMatch):
        link("posts:like", True)  # a bool is not an id: reverse() decides, and refuses


def test_a_changed_urlconf_is_followed(settings):
    assert link("posts:like", 3) == "/p/3/like/"
    settings.ROOT_URLCONF = "instaclone.tests.urls_prefixed"
    assert link("posts:like", 3) == reverse("posts:like", args=[3]) == "/prefixed/p/3/like/"


def test_template_tag_matches_url_tag():
    html = Template("{% load links %}{% link 'posts:comment_delete' a b %}|{% url 'posts:comment_delete' a b %}")
    first, second = html.render(Context({"a": 4, "b": 9})).split("|")
    assert first == second == "/p/4/comments/9/delete/"


def test_a_word_from_a_template_is_formatted_not_reversed(monkeypatch):
    """Template literals arrive as SafeString (a str subclass): still the fast path."""
    from django.utils.safestring import mark_safe

    import instaclone.links as links

    expected = reverse("social:report", args=["comment", 5])
    assert link("social:report", "comment", 5) == expected  # the route's format string is made here
    monkeypatch.setattr(links, "reverse", lambda *a, **k: pytest.fail("reverse() called"))
    assert link("social:report", mark_safe("comment"), 5) == expected
