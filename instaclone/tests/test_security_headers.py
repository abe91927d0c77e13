"""Content-Security-Policy (django-csp, nonces), Permissions-Policy and Cache-Control (issue 9 item 11),
and the promise that makes a strict CSP possible: no inline handlers or styles in any page."""

import re
from html.parser import HTMLParser

import pytest
from allauth.account.models import EmailAddress

from accounts.models import User
from posts.tests.factories import PostFactory
from social import moderation

HX = {"HTTP_HX_REQUEST": "true"}


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def nonce_of(response) -> str:
    sources = [s for s in directives(response)["script-src"] if s.startswith("'nonce-")]
    assert len(sources) == 1
    return sources[0][len("'nonce-") : -1]


class _InlineFinder(HTMLParser):
    """Collects what a strict CSP would block: on* handler and style attributes, hx-on attributes,
    javascript: URLs, <style> elements and inline <script> elements without the page's nonce."""

    def __init__(self, nonce):
        super().__init__()
        self.nonce = nonce
        self.problems = []
        self.script_nonces = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if name.startswith("on") or name.startswith("hx-on") or name.startswith("data-hx-on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name == "style":
                self.problems.append(f"<{tag} style=…>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}=javascript:…>")
        if tag == "style":
            self.problems.append("<style>")
        if tag == "script":
            if attrs.get("type") in ("application/json", "application/ld+json"):
                return
            if "nonce" in attrs:
                self.script_nonces.append(attrs["nonce"])
                if attrs["nonce"] != self.nonce:
                    self.problems.append(f"<script nonce={attrs['nonce']!r}> (not this response's nonce)")
            elif "src" not in attrs:
                self.problems.append("<script> inline without a nonce")


def inline_problems(response):
    finder = _InlineFinder(nonce_of(response) if "nonce-" in response.get("Content-Security-Policy", "") else None)
    finder.feed(response.content.decode())
    return finder.problems


def test_signed_in_page_has_the_policy_and_never_stored_html(alice_client):
    response = alice_client.get("/")
    assert response.status_code == 200
    csp = directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"][0] == "'self'" and len(csp["script-src"]) == 2  # 'self' + this page's nonce
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"] and csp["form-action"] == ["'self'"]
    assert {"'self'", "data:", "blob:"} <= set(csp["img-src"])
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    policy = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy
    cache = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"private", "no-store", "no-cache"} <= cache
    assert "Cookie" in response["Vary"]


def test_signed_in_htmx_fragment_is_not_stored_either(alice_client, alice):
    post = PostFactory(author=alice)
    response = alice_client.post(f"/p/{post.pk}/like/", **HX)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]


def test_anonymous_page_has_the_policy_but_may_be_cached_privately_by_the_browser(client, alice):
    response = client.get("/alice/")
    assert response.status_code == 200
    assert "object-src 'none'" in response["Content-Security-Policy"]
    assert "camera=()" in response["Permissions-Policy"]
    assert "no-store" not in response.get("Cache-Control", "")


def test_error_page_has_the_policy(client, db, settings):
    settings.DEBUG = False
    response = client.get("/p/999999/")
    assert response.status_code == 404
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert "camera=()" in response["Permissions-Policy"]
    assert not inline_problems(response)


def test_media_keeps_its_own_caching_but_turns_private_for_a_signed_in_person(alice_client, alice):
    """A response that chose its caching keeps it; signed-in HTML never says public."""
    from django.http import HttpResponse

    from instaclone.middleware import SecurityHeadersMiddleware

    def view(request):
        response = HttpResponse("<p>hi</p>")
        response["Cache-Control"] = "public, max-age=60"
        return response

    request = alice_client.get("/").wsgi_request
    response = SecurityHeadersMiddleware(view)(request)
    cache = {d.strip() for d in response["Cache-Control"].split(",")}
    assert "private" in cache and "public" not in cache


def test_nonce_is_fresh_per_response_and_matches_every_script_tag(alice_client):
    first, second = alice_client.get("/"), alice_client.get("/")
    assert nonce_of(first) != nonce_of(second)
    for response in (first, second):
        nonce = nonce_of(response)
        scripts = re.findall(r"<script\b[^>]*>", response.content.decode())
        assert len(scripts) >= 5  # htmx + our four files
        assert all(f'nonce="{nonce}"' in tag for tag in scripts), scripts


def test_htmx_is_configured_to_run_without_eval_or_injected_styles(client, alice):
    html = client.get("/alice/").content.decode()
    assert '<meta name="htmx-config" content=\'{"allowEval": false, "includeIndicatorStyles": false}\'>' in html


def test_no_template_asks_htmx_for_something_it_must_eval():
    """With allowEval false htmx cannot compile an hx-trigger event filter (`keydown[key=='Enter']`): it
    drops the filter and fires on every such event. hx-on and `js:` values need eval too. Key handling
    that needs a filter lives in static/js (engagement.js: Enter posts a comment)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    templates = [p for p in root.glob("**/templates/**/*.html") if ".venv" not in p.parts]
    assert len(templates) > 40
    needs_eval = re.compile(r"""hx-trigger=["'][^"']*\[|hx-on[:-]|hx-vals=["']\s*js:|hx-vars=""")
    assert [str(p.relative_to(root)) for p in templates if needs_eval.search(p.read_text())] == []


def test_imagekit_endpoint_and_absolute_media_url_are_allowed_image_sources():
    from instaclone.settings import _origin_path

    assert _origin_path("https://ik.imagekit.io/demo") == ["https://ik.imagekit.io/demo/"]
    assert _origin_path("https://cdn.example.com/media/") == ["https://cdn.example.com/media/"]
    assert _origin_path("/media/") == [] and _origin_path("") == []


@pytest.fixture
def pages(alice, bob, charlie, client):
    """The main pages of the site, as (label, client-user, url, extra headers)."""
    post = PostFactory(author=bob, caption="#sunset with @alice")
    admin = User.objects.create_superuser("root", "root@example.com", "pw-for-admin-1234")
    report = moderation.report_create(reporter=alice, target=post, reason="spam").report
    EmailAddress.objects.create(user=charlie, email="charlie.new@example.com", verified=False, primary=False)
    pages = [
        ("feed", alice, "/", {}),
        ("own profile", alice, "/alice/", {}),
        ("someone's profile (follow, block menu)", alice, "/bob/", {}),
        ("anonymous profile", None, "/bob/", {}),
        ("post detail", alice, f"/p/{post.pk}/", {}),
        ("comments", alice, f"/p/{post.pk}/comments/", {}),
        ("report page", alice, f"/report/post/{post.pk}/", {}),
        ("report dialog", alice, f"/report/post/{post.pk}/", HX),
        ("new post", alice, "/p/new/", {}),
        ("settings", alice, "/settings/", {}),
        ("edit profile", alice, "/settings/profile/", {}),
        ("explore", alice, "/explore/", {}),
        ("search", alice, "/search/?q=s", {}),
        ("notifications", alice, "/notifications/", {}),
        ("hashtag", alice, "/explore/tags/sunset/", {}),
        ("login", None, "/accounts/login/", {}),
        ("signup", None, "/accounts/signup/", {}),
        ("password", alice, "/accounts/password/change/", {}),
        ("emails", alice, "/accounts/email/", {}),
        ("emails, a change pending", charlie, "/accounts/email/", {}),
        ("two-factor", alice, "/accounts/2fa/", {}),
        ("admin index", admin, "/admin/", {}),
        ("admin posts", admin, "/admin/posts/post/", {}),
        ("admin post", admin, f"/admin/posts/post/{post.pk}/change/", {}),
        ("admin reports", admin, "/admin/social/report/", {}),
        ("admin report (moderation form)", admin, f"/admin/social/report/{report.pk}/change/", {}),
    ]
    return pages


def test_no_page_has_inline_handlers_or_styles(client, pages):
    failures = {}
    for label, user, url, headers in pages:
        client.logout()
        if user is not None:
            client.force_login(user)
        response = client.get(url, **headers)
        assert response.status_code == 200, (label, url, response.status_code)
        assert "Content-Security-Policy" in response, label
        problems = inline_problems(response)
        if problems:
            failures[label] = problems
    assert not failures
