"""Templates follow the layers, and small components exist once (docs/architecture.md, "Templates").

Read from the template source like test_architecture.py reads imports:

* A template may ``include``/``extend`` (or name in ``{% partial %}``) templates of its own layer and
  the layers below it: ``social`` → ``posts`` → ``accounts`` → the shared ``templates/``. So a posts
  template never includes ``social/...``, an accounts template never ``posts/...`` or ``social/...``,
  and the shared ``templates/`` directory (base, nav, components, error pages) never an app's
  templates. The allauth overrides in ``templates/allauth/`` and ``templates/account/`` count as
  accounts templates (see ``ACCOUNTS_OVERRIDES``).
* A *link* (``{% url %}``, or ``{% link %}`` for routes taking ids) may name a page of any layer: the nav (shared) links to social's feed,
  the settings menu (accounts) to social's blocked-accounts list, the report link component to
  social's report page. A link is navigation resolved by the root URLconf (wiring), not a use of the
  other layer's templates or context; what is checked is that every name resolves.
* The shared components in ``templates/components/`` are written once: their markup (the heart
  path, the person row, the keyset "More" link, the toggle form's button) appears nowhere else. One
  measured exception: the post card's like and save buttons (``posts/_card.html`` partials) write the
  toggle form's markup inline, because they render 24 times a feed page and the include with its
  ten arguments cost 1.5–2 ms of a ~16 ms page render (bench/RESULTS.md); the follow buttons use the
  component.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Lowest layer first; "shared" is templates/ at the project root.
LAYERS = ("shared", "accounts", "posts", "social")
APP_PREFIXES = {"accounts/": "accounts", "posts/": "posts", "social/": "social", "direct/": "social"}
REFERENCE = re.compile(r"""{%\s*(?:include|extends)\s+["']([^"'#]+)""")


# django-allauth's pages restyled (templates/allauth/, templates/account/) are the accounts layer's
# sign-in and settings UI; they sit in the project's templates/ only because that directory is searched
# before allauth's own app templates (accounts comes after allauth in INSTALLED_APPS).
ACCOUNTS_OVERRIDES = ("allauth", "account")


def _template_files():
    for layer in LAYERS:
        base = ROOT / "templates" if layer == "shared" else ROOT / layer / "templates"
        for path in sorted(base.rglob("*.html")):
            in_overrides = layer == "shared" and path.relative_to(base).parts[0] in ACCOUNTS_OVERRIDES
            yield ("accounts" if in_overrides else layer), path


def _layer_of(name: str) -> str:
    for prefix, layer in APP_PREFIXES.items():
        if name.startswith(prefix):
            return layer
    return "shared"  # components/, includes/, base.html, errors/, admin/, allauth's own templates


def layer_violations(files) -> list[str]:
    found = []
    for layer, path, text in files:
        for name in REFERENCE.findall(text):
            target = _layer_of(name)
            if LAYERS.index(target) > LAYERS.index(layer):
                found.append(f"{path}: {layer} template uses {name} ({target})")
    return found


def test_checker_reports_a_posts_template_that_includes_a_social_one():
    fake = [("posts", "posts/x.html", '{% include "social/_report_link.html" with kind="post" %}')]
    assert layer_violations(fake) == ["posts/x.html: posts template uses social/_report_link.html (social)"]
    assert layer_violations([("social", "social/x.html", '{% include "posts/_card.html" %}')]) == []


def test_no_template_includes_a_template_of_a_higher_layer():
    files = [(layer, path.relative_to(ROOT), path.read_text()) for layer, path in _template_files()]
    assert len(files) > 40
    assert layer_violations(files) == []


URL_TAG = re.compile(r"""{%\s*(?:url|link)\s+["']([^"']+)["']""")  # {% link %}: instaclone.links


def _url_names() -> set[str]:
    """Every namespaced URL name of the root URLconf (``social:blocked``, ``followers``, ...)."""
    from django.urls import URLResolver, get_resolver

    names = set()

    def walk(patterns, namespaces):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, namespaces + [pattern.namespace] if pattern.namespace else namespaces)
            elif pattern.name:
                names.add(":".join(namespaces + [pattern.name]))

    walk(get_resolver().url_patterns, [])
    return names


def test_every_url_a_template_links_to_exists():
    """Links may cross layers (see the module docstring), so a moved or renamed page must not leave a
    template naming a URL that no longer exists."""
    names = _url_names()
    assert {"social:blocked", "social:report", "accounts:settings"} <= names
    missing = [
        f"{path.relative_to(ROOT)}: {name}"
        for _, path in _template_files()
        for name in URL_TAG.findall(path.read_text())
        if name not in names
    ]
    assert missing == []


COMPONENT_MARKUP = {
    "components/icons/_heart.html": "M12 20.5s-8-4.7-8-10.3",
    "components/icons/_bookmark.html": "M6 3h12v18l-6-5-6 5z",
    "components/icons/_comment.html": "M20 12a8 8 0 0 1-11.6 7.1",
    "components/_person_row.html": 'class="person__names"',
    "components/_more_link.html": 'hx-swap="outerHTML" hx-target="{{ target',
    "components/_toggle_form.html": 'name="next" value="{{ next|default:here }}">\n  <button',
}


# The measured exception (module docstring): the card's like and save buttons.
INLINE_COPIES = {"components/_toggle_form.html": ["posts/templates/posts/_card.html"]}


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("component,markup", COMPONENT_MARKUP.items())
def test_it_writes_each_component_once(component, markup):
    """Once in the templates (whitespace aside), and no copy in a script either (a script uses the
    template's markup); the one listed exception is where it is written out on purpose."""
    markup = _squeezed(markup)
    holders = [str(path.relative_to(ROOT)) for _, path in _template_files() if markup in _squeezed(path.read_text())]
    holders += [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "static" / "js").glob("*.js"))
        if markup in _squeezed(path.read_text())
    ]
    assert sorted(holders) == sorted([f"templates/{component}", *INLINE_COPIES.get(component, [])])


def test_more_links_and_person_rows_come_from_the_components():
    """No hand-written htmx "More" link (hx-get on a ?cursor= URL) or person row outside components."""
    for _, path in _template_files():
        if "components" in path.parts:
            continue
        text = path.read_text()
        assert 'hx-get="?cursor=' not in text, path
        assert 'href="?cursor=' not in text, path
        assert 'class="person__username"' not in text, path


PARTIAL_INCLUDE = re.compile(r"""{%\s*include\s+["']([^"'#]+)#""")
EXTENDS = re.compile(r"""{%\s*extends\s""")


def test_a_page_is_not_a_partial_library_for_other_templates():
    """A template another template takes a partial from is a fragment library, not a page.

    A page's partials are rendered by its own views (``"page.html#feed-page"``); what several templates
    share (comments, card buttons) lives in an underscore-prefixed library that extends nothing.
    """
    sources = {}
    for _, path in _template_files():
        parts = path.parts
        sources["/".join(parts[parts.index("templates") + 1 :])] = path.read_text()
    for name, text in sources.items():
        for used in PARTIAL_INCLUDE.findall(text):
            if used != name:
                assert not EXTENDS.search(sources[used]), f"{name} takes a partial of the page {used}"
