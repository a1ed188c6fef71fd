"""Security headers: on every response, and a strict Content-Security-Policy on HTML pages."""
import re

import pytest

from core.headers import CONTENT_SECURITY_POLICY

STRICT = ("default-src 'self'", "script-src 'self'", "object-src 'none'",
          "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'", "style-src 'self'",
          "img-src 'self' data:")


def directives(policy):
    return {part.strip() for part in policy.split(";")}


def assert_always(result):
    assert result.headers["x-content-type-options"] == "nosniff"
    assert result.headers["referrer-policy"] in ("same-origin", "no-referrer")
    assert result.headers["x-frame-options"] == "DENY"


def test_the_policy_allows_no_inline_or_foreign_script():
    policy = directives(CONTENT_SECURITY_POLICY)
    assert set(STRICT) <= policy
    assert not any("unsafe-eval" in d or ("unsafe-inline" in d and d.startswith("script"))
                   for d in policy)
    assert "*" not in CONTENT_SECURITY_POLICY


@pytest.mark.parametrize("path", ["/", "/setup", "/invite"])
def test_html_pages_carry_the_policy(client, path):
    result = client.simulate_get(path)
    assert result.status_code == 200 and result.headers["content-type"].startswith("text/html")
    assert directives(result.headers["content-security-policy"]) == directives(CONTENT_SECURITY_POLICY)
    assert_always(result)


@pytest.mark.parametrize("path", ["/", "/setup"])
def test_html_pages_hold_no_inline_script_handler_or_style(client, path):
    page = client.simulate_get(path).text.lower()
    scripts = re.findall(r"<script([^>]*)>", page)
    assert scripts and all("src=" in attrs for attrs in scripts)  # every script is a file
    assert not re.search(r"<[^>]*\son\w+\s*=", page)  # no onclick= and the like
    assert "<style" not in page and "javascript:" not in page


def test_api_answers_get_the_headers_but_no_page_policy(client, admin):
    result = client.simulate_get("/api/fundraising/investors", headers=admin["headers"])
    assert result.status_code == 200 and result.headers["content-type"].startswith("application/json")
    assert_always(result)
    assert "content-security-policy" not in result.headers


def test_errors_and_assets_get_the_headers_too(client):
    for path, status in (("/api/fundraising/investors", 401), ("/assets/app.js", 200),
                         ("/assets/nope.js", 404)):
        result = client.simulate_get(path)
        assert result.status_code == status, path
        assert_always(result)
