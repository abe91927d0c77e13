"""CSS is organised by component under cascade layers (issue 10): every stylesheet the site links
wraps its rules in one of the layers base.css declares, and none is named after a team or app."""

import re
from pathlib import Path

from django.conf import settings

STATIC = Path(settings.BASE_DIR) / "static"
TEAM_NAMES = {"app", "posts", "interactions", "social", "moderation", "accounts"}


def _linked_stylesheets(client):
    html = client.get("/accounts/login/").content.decode()
    sheets = re.findall(r'<link rel="stylesheet" href="/static/([^"]+\.css)"', html)
    return [re.sub(r"\.[0-9a-f]{12}(?=\.css$)", "", sheet) for sheet in sheets]  # manifest storage hashes


def test_every_linked_stylesheet_is_in_a_declared_layer(client, db):
    sheets = _linked_stylesheets(client)
    assert sheets[0] == "css/base.css"
    order = re.search(r"^@layer ([\w, ]+);", (STATIC / sheets[0]).read_text(), re.M).group(1)
    layers = [name.strip() for name in order.split(",")]
    assert layers == ["reset", "base", "layout", "components", "pages", "utilities"]
    for sheet in sheets[1:]:
        text = re.sub(r"/\*.*?\*/", "", (STATIC / sheet).read_text(), flags=re.S).strip()
        match = re.match(r"@layer (\w+) \{", text)
        assert match and match.group(1) in layers, f"{sheet} is not wrapped in a declared layer"
        assert text.endswith("}") and text.count("{") == text.count("}"), sheet
        if sheet.startswith("css/components/"):
            assert match.group(1) == "components", sheet
        if sheet.startswith("css/pages/"):
            assert match.group(1) == "pages", sheet


def test_no_stylesheet_is_named_after_a_team(client, db):
    names = {Path(sheet).stem for sheet in _linked_stylesheets(client)}
    assert names, "no stylesheet linked"
    assert not names & TEAM_NAMES
