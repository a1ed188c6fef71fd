"""The web app's routes without a browser: content types, containment, enabled plugins only."""
import pytest
from falcon import testing

from core.app import create_app
from plugins.webapp import resources


def test_shell_and_assets_are_public_with_their_content_types(client):
    page = client.simulate_get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for path, kind in (("/assets/app.js", "text/javascript"), ("/assets/style.css", "text/css"),
                       ("/assets/plugins/fundraising/grid.js", "text/javascript")):
        result = client.simulate_get(path)
        assert result.status_code == 200, path
        assert result.headers["content-type"].startswith(kind), path
    assert client.simulate_get("/api/fundraising/investors").status_code == 401


@pytest.mark.parametrize("path", [
    "/assets/../plugin.py", "/assets/%2e%2e/plugin.py", "/assets/..%2fplugin.py",
    "/assets/vendor/../../plugin.py", "/assets/plugins/fundraising/..%2fplugin.py",
    "/assets/plugins/fundraising/../records.py", "/assets/nope.js",
])
def test_paths_outside_the_asset_folders_are_404(client, path):
    assert client.simulate_get(path).status_code == 404


@pytest.mark.parametrize("path", [
    "/assets/" + "%C3%A9" * 300 + ".js", "/assets/plugins/fundraising/" + "é" * 300,
    "/assets/" + "a/" * 2000 + "x.js", "/assets/a%00.js", "/assets/plugins/fundraising/%00",
    "/assets/plugins/" + "x" * 400 + "/grid.js",
])
def test_long_or_odd_asset_paths_are_404(client, path):
    assert client.simulate_get(path).status_code == 404


def test_pages_js_imports_the_web_modules_of_enabled_plugins_only(make_crm):
    crm = make_crm(plugins=["fundraising", "webapp"])
    client = testing.TestClient(create_app(crm))
    text = client.simulate_get("/assets/pages.js").text
    assert 'import "/assets/plugins/fundraising/grid.js";' in text
    assert "/assets/plugins/gmail/" not in text
    assert client.simulate_get("/assets/plugins/gmail/proposals.js").status_code == 404
    assert client.simulate_get("/assets/plugins/nothere/x.js").status_code == 404
    lines = [line for line in text.splitlines() if line.startswith("import")]
    assert lines == sorted(lines)


def test_without_the_vendored_assets_the_shell_says_what_to_do(client, monkeypatch, tmp_path):
    monkeypatch.setattr(resources, "VENDOR_ENTRY", tmp_path / "missing.js")
    result = client.simulate_get("/")
    assert result.status_code == 200 and b"Node.js 20" in result.content


def test_the_shell_asks_for_every_module_at_once(make_crm):
    """The browser learns of a module only from the one importing it: a round trip per level
    of imports, unless the page names them all (modulepreload), the enabled plugins' only."""
    crm = make_crm(plugins=["fundraising", "webapp"])
    client = testing.TestClient(create_app(crm))
    page = client.simulate_get("/").text
    for url in ("/assets/app.js", "/assets/ui.js", "/assets/pages.js",
                "/assets/plugins/fundraising/grid.js", "/assets/plugins/fundraising/row_window.js",
                "/assets/vendor/tabulator_esm.min.js"):
        assert f'<link rel="modulepreload" href="{url}">' in page
        assert client.simulate_get(url).status_code == 200, url
    assert "/assets/plugins/gmail/" not in page and "setup.js" not in page
    assert page.index("modulepreload") < page.index('src="/assets/app.js"')


def test_an_asset_the_browser_has_is_answered_304_without_its_body(client):
    first = client.simulate_get("/assets/plugins/fundraising/grid.js")
    tag = first.headers["etag"]
    assert first.status_code == 200 and first.content and first.headers["cache-control"] == "no-cache"
    again = client.simulate_get("/assets/plugins/fundraising/grid.js",
                                headers={"If-None-Match": tag})
    assert again.status_code == 304 and not again.content
    other = client.simulate_get("/assets/plugins/fundraising/grid.js",
                                headers={"If-None-Match": '"0-0"'})
    assert other.status_code == 200 and other.content == first.content
