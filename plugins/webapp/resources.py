"""The web app's routes: the shell page, static assets, and each enabled plugin's pages."""
import html
import mimetypes
from pathlib import Path

import falcon

from core.errors import not_found
from core.openapi import operation

STATIC = Path(__file__).resolve().parent / "static"
VENDOR_ENTRY = STATIC / "vendor" / "tabulator_esm.min.js"
CONTENT_TYPES = {
    ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8", ".html": "text/html; charset=utf-8",
    ".png": "image/png", ".svg": "image/svg+xml", ".json": "application/json",
    ".map": "application/json", ".woff2": "font/woff2", ".ico": "image/x-icon",
}
MISSING_ASSETS = b"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Venture CRM</title></head><body style="font-family:sans-serif;max-width:40rem;margin:3rem auto">
<h1>Venture CRM</h1><p>The web assets are missing. The web app needs Node.js 20: install it
and run <code>make install</code>, then reload. The API at <code>/api/</code> works without them.</p>
</body></html>"""


def web_folder(crm, plugin_name) -> Path | None:
    """`plugins/<name>/web/` of an enabled plugin, found from its module's file."""
    plugin = crm.pm.get_plugin(plugin_name)
    module_file = getattr(plugin, "__file__", None) if plugin is not None else None
    if not module_file:
        return None
    folder = Path(module_file).resolve().parent / "web"
    return folder if folder.is_dir() else None


def send_file(req, resp, root: Path, relative: str):
    """Answer with root/relative (304 when the browser has it: its ETag), or 404 when it is
    missing or would leave root."""
    root = root.resolve()
    try:  # a name too long for the file system, or with a NUL, is just not there
        target = (root / relative).resolve()
        found = target.is_relative_to(root) and target.is_file()
    except (OSError, ValueError):
        found = False
    if not found:
        raise not_found("No such asset")
    resp.cache_control = ["no-cache"]  # revalidate: assets change with every install
    stat = target.stat()
    tag = f"{stat.st_size:x}-{stat.st_mtime_ns:x}"
    resp.etag = tag  # Falcon quotes it
    if any(given in (tag, "*") for given in req.if_none_match or ()):
        resp.status = falcon.HTTP_304  # the browser's copy is current: no body
        return
    resp.content_type = CONTENT_TYPES.get(target.suffix) or (
        mimetypes.guess_type(target.name)[0] or "application/octet-stream")
    resp.data = target.read_bytes()


APP_SCRIPT = '<script type="module" src="/assets/app.js"></script>'


class ShellPage:
    def __init__(self, crm):
        self.crm = crm

    @operation("The web app's single page", public=True, content_type="text/html")
    def on_get(self, req, resp):
        resp.content_type = falcon.MEDIA_HTML
        resp.cache_control = ["no-cache"]
        if not VENDOR_ENTRY.is_file():
            resp.data = MISSING_ASSETS
            return
        # Every module the app imports, asked for at once: without this the browser learns of
        # each only from the one importing it, a round trip per level of imports.
        modules = [f"/assets/{f.name}" for f in sorted(STATIC.glob("*.js")) if f.name != "setup.js"]
        modules += ["/assets/pages.js", *page_modules(self.crm), "/assets/vendor/tabulator_esm.min.js"]
        links = "".join(f'<link rel="modulepreload" href="{html.escape(url)}">\n  '
                        for url in modules)
        page = (STATIC / "index.html").read_text(encoding="utf-8")
        resp.text = page.replace(APP_SCRIPT, links + APP_SCRIPT)


class Favicon:
    @operation("The app's icon (SVG), for browsers that ask for /favicon.ico unprompted",
               public=True, content_type="image/svg+xml")
    def on_get(self, req, resp):
        send_file(req, resp, STATIC, "favicon.svg")


class AssetResource:
    @operation("A static file of the web app", public=True, content_type="text/javascript")
    def on_get(self, req, resp, path):
        send_file(req, resp, STATIC, path)


class PluginAssetResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("A file of an enabled plugin's web/ folder", public=True,
               content_type="text/javascript", errors=(404,))
    def on_get(self, req, resp, plugin, file):
        folder = web_folder(self.crm, plugin)
        if folder is None:
            raise not_found("No such plugin")
        send_file(req, resp, folder, file)


def page_modules(crm) -> list[str]:
    """URLs of every enabled plugin's web/*.js, sorted by plugin then file."""
    urls = []
    for name in sorted(n for n, _p in crm.pm.list_name_plugin() if n != "core"):
        folder = web_folder(crm, name)
        if folder is not None:
            urls += [f"/assets/plugins/{name}/{f.name}" for f in sorted(folder.glob("*.js"))]
    return urls


class PagesScript:
    def __init__(self, crm):
        self.crm = crm

    @operation("A module importing every enabled plugin's pages", public=True,
               content_type="text/javascript")
    def on_get(self, req, resp):
        resp.content_type = CONTENT_TYPES[".js"]
        resp.cache_control = ["no-cache"]
        lines = [f'import "{url}";' for url in page_modules(self.crm)]
        resp.text = "// Generated: the pages of every enabled plugin.\n" + "\n".join(lines) + "\n"
