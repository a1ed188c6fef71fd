"""Cookie-authenticated writes must come from the CRM's own pages.

SameSite=Strict already keeps the cookie off cross-site requests in current browsers; this
check does not rest on it. A bearer token is never sent by a browser on its own, so token
clients are not checked."""
from urllib.parse import urlsplit

from core.auth import COOKIE
from core.errors import forbidden

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
SAME_SITE = {"same-origin", "none"}  # "none": typed in or bookmarked, not from another site


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class SameOriginMiddleware:
    def __init__(self, public_url: str | None, cors_origins: list[str]):
        self.allowed = {_origin(u) for u in [public_url, *cors_origins] if u and u != "*"}

    def _from_here(self, req) -> bool:
        origin = req.get_header("Origin")
        if origin:
            # the Host the browser used (a proxy passes it on), or a configured origin
            return origin != "null" and (
                urlsplit(origin).netloc.lower() == (req.get_header("Host") or "").lower()
                or _origin(origin) in self.allowed)
        site = req.get_header("Sec-Fetch-Site")
        return site is None or site in SAME_SITE  # neither header: not a browser

    def process_request(self, req, resp):
        if req.method in SAFE_METHODS or not req.get_cookie_values(COOKIE):
            return
        if (req.get_header("Authorization") or "").lower().startswith("bearer "):
            return
        if not self._from_here(req):
            raise forbidden("A write with the session cookie must come from the CRM's own "
                            "pages", code="cross_origin")
