"""The layer rule and "no import cycle", proven from the source (docs/architecture.md).

Every ``.py`` file of ``accounts``, ``posts``, ``social`` and ``instaclone`` is parsed with ``ast``;
every ``import``/``from ... import`` counts wherever it is written (module top, inside functions,
under ``if TYPE_CHECKING``), and relative imports are resolved against the importing module.

Rules checked:

* **Layers**, one way: ``social`` → ``posts`` → ``accounts`` → ``instaclone``. A module may import its
  own app or any app to its right, never one to its left (``accounts`` imports neither ``posts`` nor
  ``social``; ``posts`` does not import ``social``; ``instaclone`` imports no app).
* **Wiring** may import anything: ``instaclone/settings.py``, ``urls.py``, ``wsgi.py``, ``asgi.py``.
* **Test code**: an app's tests (``<app>/tests/*``) follow their app's layer rule like its code does —
  they may use the factories, personas and helpers of their own and lower layers (``posts`` tests may
  use ``accounts`` factories; ``accounts`` tests never touch ``posts``). ``instaclone``'s test code
  (``instaclone/testing.py``, the test helpers conftest.py uses, and ``instaclone/tests/*``, which
  test the infrastructure through the real apps) is test wiring: like ``urls.py`` it may import any
  app, and no application module may import it (checked below).
* **No import cycle** anywhere, at module granularity: a cycle between two modules of the same app
  counts. A package's ``__init__`` is a module of its own.

Hand-written rather than import-linter/grimp: the whole checker is ~80 lines of stdlib, the project
adds no dependency for it, and the rules (wiring and test exceptions, cycles inside one app) are
written down here where they are enforced. ``test_checker_*`` feed it fake graphs so that it cannot
silently pass.
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Lowest layer first: an app may import itself and the apps before it in this list.
LAYERS = ("instaclone", "accounts", "posts", "social")
WIRING = {"instaclone.settings", "instaclone.urls", "instaclone.wsgi", "instaclone.asgi"}
TEST_WIRING = {"instaclone.testing"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_files() -> dict[str, Path]:
    files = {}
    for app in LAYERS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if ".venv" not in path.parts:
                files[_module_name(path)] = path
    return files


def _resolve(name: str, modules: set[str]) -> str | None:
    """The project module `name` refers to: itself or its longest known prefix (``posts.models.Post``
    → ``posts.models``), or None when it is not the project's (django, PIL...)."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(module: str, source: str, modules: set[str], *, is_package: bool) -> set[str]:
    """The project modules `module` imports, wherever in the file the import statement is."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: ``.`` is the package the module is in (or the package itself)
                package = module.split(".") if is_package else module.split(".")[:-1]
                base_parts = package[: len(package) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            # ``from pkg import name``: the submodule pkg.name when there is one, else pkg itself
            targets = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in targets:
            resolved = _resolve(target, modules)
            if resolved is not None and resolved != module:
                found.add(resolved)
    return found


def import_graph() -> dict[str, set[str]]:
    files = project_files()
    modules = set(files)
    return {
        name: imports_of(name, path.read_text(encoding="utf-8"), modules, is_package=path.name == "__init__.py")
        for name, path in files.items()
    }


def _is_test_code(module: str) -> bool:
    return ".tests." in f".{module}." or module.endswith(".conftest")


def layer_violations(graph: dict[str, set[str]]) -> list[str]:
    problems = []
    for module, targets in sorted(graph.items()):
        app = module.split(".")[0]
        if module in WIRING or module in TEST_WIRING or (app == "instaclone" and _is_test_code(module)):
            continue
        for target in sorted(targets):
            target_app = target.split(".")[0]
            if LAYERS.index(target_app) > LAYERS.index(app):
                problems.append(f"{module} imports {target} ({app} may not depend on {target_app})")
            elif (target in TEST_WIRING or _is_test_code(target)) and not _is_test_code(module):
                problems.append(f"{module} imports {target} (test helpers are for tests only)")
    return problems


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path (``a → b → a``), or None."""
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as exc:
        return list(reversed(exc.args[1]))  # graphlib lists it dependency-first
    return None


# --- the project ----------------------------------------------------------------------------


def test_the_checker_sees_the_whole_project():
    graph = import_graph()
    assert {"accounts.models", "posts.views", "social.services", "instaclone.settings"} <= set(graph)
    assert {"social.selectors", "social.services"} <= graph["social.views"]  # ``from . import x``
    assert "posts.views" in graph["social.views"]  # imported inside a function
    assert "social.models" in graph["social.selectors"]  # ``from .models import ...``


def test_layers_depend_one_way():
    problems = layer_violations(import_graph())
    assert not problems, "layer rule broken:\n" + "\n".join(problems)


def test_only_querysets_selectors_and_services_import_the_visibility_rule():
    """accounts/visibility.py is where the rule is written; views, moderation and templates read
    through `User/Post/Comment.objects.visible_to` or a selector built on them, never the rule's
    helpers (a second path that forgets half the rule is how photo sites leak)."""
    graph = import_graph()
    readers = sorted(m for m, deps in graph.items() if "accounts.visibility" in deps and not _is_test_code(m))
    assert readers, "the checker should see the querysets that import the rule"
    # an app's sub-package has its own (posts.stories.models, social.messages.selectors)
    assert [m for m in readers if not {"models", "selectors", "services"} & set(m.split(".")[1:])] == []


def test_no_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " → ".join(cycle)


# --- the checker itself ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "source, expected",
    [
        ("import posts.models", {"posts.models"}),
        ("from posts.models import Post", {"posts.models"}),
        ("from posts import models", {"posts.models"}),
        ("from posts import services as s", {"posts"}),  # not a module: the package itself
        ("from . import selectors", {"social.selectors"}),
        ("from .selectors import feed", {"social.selectors"}),
        ("from ..models import x", {"social.models"}),  # from social/views/x.py-like depth
        ("def f():\n    from accounts.models import User\n", {"accounts.models"}),
        ("import django.db\nfrom PIL import Image", set()),
    ],
)
def test_checker_resolves_imports(source, expected):
    modules = {"posts", "posts.models", "posts.views", "social", "social.selectors", "social.models",
               "social.feed", "social.feed.views", "accounts", "accounts.models"}
    module = "social.feed.views" if source.startswith("from ..") else "social.views"
    assert imports_of(module, source, modules, is_package=False) == expected


def test_checker_relative_import_in_a_package_init():
    modules = {"social", "social.feed", "social.feed.models"}
    assert imports_of("social.feed", "from .models import x", modules, is_package=True) == {"social.feed.models"}


def test_checker_catches_a_cycle_and_names_its_path():
    graph = {"social.a": {"social.b"}, "social.b": {"social.c"}, "social.c": {"social.a"}, "social.d": set()}
    cycle = find_cycle(graph)
    assert cycle is not None and cycle[0] == cycle[-1] and set(cycle) == {"social.a", "social.b", "social.c"}
    assert find_cycle({"social.a": {"social.b"}, "social.b": set()}) is None


def test_checker_catches_layer_violations():
    graph = {
        "accounts.models": {"posts.models", "instaclone.cache"},  # upward: caught
        "posts.views": {"social.selectors", "accounts.models"},  # upward: caught
        "instaclone.htmx": {"accounts.models"},  # infrastructure importing an app: caught
        "social.views": {"instaclone.testing"},  # application code importing test helpers: caught
        "social.receivers": {"social.tests.factories"},  # ... or an app's test factories: caught
        "instaclone.urls": {"social.views"},  # wiring: allowed
        "instaclone.tests.test_x": {"social.views"},  # infrastructure tests: allowed
        "social.tests.test_x": {"posts.models", "instaclone.testing"},  # downward: allowed
        "accounts.tests.test_x": {"posts.models"},  # app tests follow their app's rule: caught
    }
    problems = layer_violations(graph)
    assert problems == [
        "accounts.models imports posts.models (accounts may not depend on posts)",
        "accounts.tests.test_x imports posts.models (accounts may not depend on posts)",
        "instaclone.htmx imports accounts.models (instaclone may not depend on accounts)",
        "posts.views imports social.selectors (posts may not depend on social)",
        "social.receivers imports social.tests.factories (test helpers are for tests only)",
        "social.views imports instaclone.testing (test helpers are for tests only)",
    ]


def test_only_posts_selectors_trust_a_visible_read_of_the_posts():
    """`Comment.objects.on_visible_posts` checks only the comment's part of the rule: it is right only
    for post ids just read through `Post.objects.visible_to`, which posts/selectors.py does right
    before each call. Any other caller uses `Comment.objects.visible_to`."""
    callers = sorted(
        str(path.relative_to(ROOT))
        for app in ("accounts", "posts", "social", "instaclone")
        for path in (ROOT / app).rglob("*.py")
        if "tests" not in path.parts and ".on_visible_posts(" in path.read_text()
    )
    assert callers == ["posts/selectors.py"]
