"""Every URL pattern, hostile path values: no answer is a 5xx (issue 9 item 13).

Walks the whole URLconf (admin and allauth included), puts each hostile value into every path
parameter, and requests the URL as an anonymous visitor, a signed-in member and (admin URLs) a
superuser: GET, and POST (CSRF checks off, as a scripted attacker would have a token) where GET
answers 405. A second pass gives every list page hostile query strings (cursor, q, next, page).
Run it on PostgreSQL too: that is where NUL bytes and integer overflow bite.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/instaclone_x .venv/bin/python -m pytest instaclone/tests/test_url_fuzz.py
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

from instaclone.testing import make_user
from posts.tests.factories import PostFactory

HOSTILE = [
    "%00",  # NUL: PostgreSQL refuses it in any text value
    "a%00b",
    "%2F..%2F..%2Fetc%2Fpasswd",  # traversal, encoded
    "..%2F..%2Fmanage.py",
    "x" * 10_000,  # longer than any column or URL a browser sends
    "%ff",  # not UTF-8
    "%c0%af",  # overlong UTF-8 for "/"
    "%ED%A0%80",  # an encoded surrogate (not valid UTF-8)
    "al%C4%B1ce",  # alıce: dotless i, upper-cases to ALICE
    "%D0%B0lice",  # Cyrillic а
    "%E2%84%AA",  # Kelvin sign, lower-cases to k
    "%EF%BC%A1%EF%BD%8C",  # full-width letters
    "%E2%80%AEevil",  # right-to-left override
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "'%20OR%20'1'='1",
    "%22%3B--",
    "99999999999999999999999",  # beyond 64 bits
    "9223372036854775808",  # 2**63: one past bigint
    "-1",
    "0",
    "",
    "%20",
    "%0d%0aSet-Cookie:%20x=1",
]

ROUTE_PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>\w+)>")


def _regex_template(regex: str) -> str:
    """`^p/(?P<pk>[0-9]+)/$` -> `p/{pk}/` (named groups may nest parentheses)."""
    out, i = [], 0
    while i < len(regex):
        if regex.startswith("(?P<", i):
            depth, j = 0, i
            while j < len(regex):
                if regex[j] == "\\":
                    j += 2
                    continue
                if regex[j] == "(":
                    depth += 1
                elif regex[j] == ")":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            out.append("{" + regex[i + 4 : regex.index(">", i)] + "}")
            i = j + 1
            continue
        out.append(regex[i])
        i += 1
    template = "".join(out).lstrip("^").replace("\\Z", "").rstrip("$")
    return re.sub(r"\\(.)", r"\1", template)


def _template(pattern) -> str:
    if isinstance(pattern, RoutePattern):
        return ROUTE_PARAM.sub(lambda m: "{" + m["name"] + "}", str(pattern._route))
    return _regex_template(pattern.regex.pattern)


def url_templates(patterns=None, prefix: str = "") -> list[str]:
    """Every URL pattern of the site as a template: `/p/{pk}/like/`."""
    found = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        template = prefix + _template(entry.pattern)
        if isinstance(entry, URLResolver):
            found += url_templates(entry.url_patterns, template)
        else:
            found.append("/" + template)
    return sorted(set(found))


def fill(template: str, value: str | None = None, benign: dict | None = None) -> str:
    """The template with every parameter set to `value` (or its benign value)."""
    return re.sub(r"\{(\w+)\}", lambda m: value if value is not None else (benign or {}).get(m[1], "1"), template)


@pytest.fixture
def world(alice, bob, charlie):
    """A little site to aim at: a public and a private account, a post with a comment, a superuser."""
    from posts.services import comment_create

    bob.is_private = True
    bob.save(update_fields=["is_private"])
    post = PostFactory(author=alice, caption="#sunset")
    comment = comment_create(user=charlie, post_id=post.pk, body="nice")
    root = make_user("root", is_staff=True, is_superuser=True)
    return {
        "personas": {"anonymous": None, "alice": alice, "root": root},
        "benign": {
            "pk": str(post.pk), "comment_id": str(comment.pk), "username": "bob", "name": "sunset",
            "kind": "post", "object_id": str(post.pk), "content_type_id": "1", "path": "x.jpg",
            "uidb36": "2", "key": "abc-def", "url": "x",
        },
    }


def _requests_for(template: str) -> list[str]:
    if "{" not in template:
        return [template]
    return [fill(template, value) for value in HOSTILE]


def _persona_applies(persona: str, url: str) -> bool:
    return persona != "root" or url.startswith("/admin/")


def _hit(client, url: str, failures: list, persona: str, world) -> None:
    response = client.get(url)
    method = "GET"
    if response.status_code == 405:
        method = "POST"
        response = client.post(url)
        user = world["personas"][persona]
        if user is not None:
            client.force_login(user)  # the POST may have been a logout
    if response.status_code >= 500:
        failures.append(f"{method} {url[:120]} as {persona} -> {response.status_code}")


@pytest.mark.parametrize("persona", ["anonymous", "alice", "root"])
def test_no_hostile_path_value_is_a_server_error(client, world, persona):
    client.raise_request_exception = False
    if world["personas"][persona] is not None:
        client.force_login(world["personas"][persona])
    templates = url_templates()
    assert len(templates) > 100  # the whole URLconf, admin included
    failures: list[str] = []
    for template in templates:
        for url in _requests_for(template):
            if _persona_applies(persona, url):
                _hit(client, url, failures, persona, world)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("persona", ["anonymous", "alice"])
def test_no_hostile_query_string_is_a_server_error(client, world, persona):
    client.raise_request_exception = False
    if world["personas"][persona] is not None:
        client.force_login(world["personas"][persona])
    failures: list[str] = []
    for template in url_templates():
        if template.startswith("/admin/"):
            continue
        base = fill(template, benign=world["benign"])
        for value in HOSTILE:
            query = "&".join(f"{key}={value}" for key in ("cursor", "q", "next", "page", "section", "tab"))
            _hit(client, f"{base}?{query}", failures, persona, world)
    assert not failures, "\n".join(failures)


def test_url_templates_cover_every_kind_of_parameter():
    templates = url_templates()
    for expected in ("/p/{pk}/like/", "/{username}/", "/explore/tags/{name}/", "/admin/posts/post/{object_id}/change/"):
        assert expected in templates


FORM_FIELDS = ("body", "caption", "text", "reason", "next", "q", "display_name", "bio", "website", "username",
               "email", "login", "password", "code", "notes", "action", "alt_text", "form_key", "cursor")


@pytest.mark.parametrize("persona", ["anonymous", "alice"])
def test_no_hostile_form_value_is_a_server_error(client, world, persona):
    """Every URL outside the admin, POSTed with hostile values in the usual form fields."""
    client.raise_request_exception = False
    user = world["personas"][persona]
    failures: list[str] = []
    for template in url_templates():
        if template.startswith("/admin/") or "logout" in template:
            continue
        url = fill(template, benign=world["benign"])
        for value in HOSTILE:
            # sent percent-encoded as a browser would, so invalid UTF-8 reaches the form parser
            body = "&".join(f"{field}={value}" for field in FORM_FIELDS)
            if user is not None:
                client.force_login(user)
            response = client.post(url, body, content_type="application/x-www-form-urlencoded")
            if response.status_code >= 500:
                failures.append(f"POST {url} {value[:40]!r} as {persona} -> {response.status_code}")
    assert not failures, "\n".join(failures)
