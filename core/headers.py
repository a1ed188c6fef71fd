"""Security headers on every response; HTML pages also get a strict Content-Security-Policy."""

# Scripts and styles come only from our own files: no inline <script>, no inline event
# handlers, no <style> elements. Style *attributes* are allowed (style-src-attr) for one
# reason: the digest preview shows the email's own HTML (inline-styled, as mail must be) in a
# sandboxed srcdoc frame, which inherits this policy; the app's code sets styles via CSSOM.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'"
)
ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


class SecurityHeadersMiddleware:
    """Sets ALWAYS on every response, and the CSP on text/html ones."""

    def process_response(self, req, resp, resource, req_succeeded):
        for name, value in ALWAYS.items():
            resp.set_header(name, value)
        if (resp.content_type or "").startswith("text/html"):
            resp.set_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
