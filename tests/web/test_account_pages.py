"""One's own account in the browser: the profile page (password, two-factor, sessions), the
two-factor step at login and the enrolment a fund's policy forces, and the admin's tools on
the Users page (reset links, two-factor resets, sessions)."""
import io
import time
import urllib.error
import urllib.parse
from pathlib import Path

import pyotp
import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from tests.log_scan import learn
from tests.web.conftest import PASSWORD, login, start_serve, stop_serve

pytestmark = pytest.mark.browser

NEW_PASSWORD = "new-Horse-battery-42"  # no spaces: the log scan checks it as a token too
learn(NEW_PASSWORD)


def log_in_with_password(page, base_url, email, password=PASSWORD):
    page.goto(base_url + "/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def open_profile(page):
    page.click(".topbar .user-name")  # the name in the top bar leads to the profile
    page.wait_for_selector("[data-page=profile] .profile-section")


def section(page, title):
    return page.locator(".profile-section", has=page.locator("h2", has_text=title))


def wrong_code(secret):
    """Six digits that are no code of this secret now or a step either side."""
    totp = pyotp.TOTP(secret)
    valid = {totp.at(time.time() + d) for d in (-30, 0, 30, 60)}
    return next(c for c in ("000000", "111111", "222222") if c not in valid)


def test_member_changes_password_and_other_sessions_end(web_server, new_context):
    base = web_server.base_url
    elsewhere = new_context().new_page()  # the same member on another device
    login(elsewhere, base, "max@fund.example")
    page = new_context().new_page()
    login(page, base, "max@fund.example")
    open_profile(page)
    name = section(page, "Name")
    name.locator("input[name=name]").fill("Maxine Member")
    name.get_by_role("button", name="Save").click()
    expect(page.locator(".topbar .user-name")).to_have_text("Maxine Member")

    sessions = section(page, "Sessions")
    expect(sessions.locator("tbody tr", has_text="This session")).to_have_count(1)
    expect(sessions).to_contain_text("Chrome on Linux")
    assert sessions.locator("tbody tr").count() >= 2

    password = section(page, "Password")
    password.locator("input[name=current_password]").fill("not my password at all")
    password.locator("input[name=new_password]").fill(NEW_PASSWORD)
    password.locator("input[name=repeat_password]").fill(NEW_PASSWORD)
    password.get_by_role("button", name="Change password").click()
    expect(password.locator(".error")).to_be_visible()
    current = password.locator("input[name=current_password]")
    expect(current).to_have_attribute("aria-invalid", "true")

    current.fill(PASSWORD)
    password.get_by_role("button", name="Change password").click()
    expect(password.locator(".ok")).to_contain_text("other sessions are signed out")
    expect(sessions.locator("tbody tr")).to_have_count(1)  # only this one is left

    # the other device: its next API call answers 401 and it shows the login screen
    with elsewhere.expect_response(lambda r: "/api/activity" in r.url) as answer:
        elsewhere.click("nav a:has-text('Activity')")
    assert answer.value.status == 401
    elsewhere.wait_for_selector("input[name=password]")
    assert "Your session ended" in elsewhere.inner_text(".login")

    fresh = new_context().new_page()
    log_in_with_password(fresh, base, "max@fund.example")  # the old password
    expect(fresh.locator(".login .error")).not_to_be_empty()
    assert fresh.locator(".user-name").count() == 0
    login(fresh, base, "max@fund.example", NEW_PASSWORD)
    assert fresh.inner_text(".user-name") == "Maxine Member"


def test_admin_enrols_in_two_factor_from_the_qr_code_and_signs_in_with_codes(web_server, page):
    base = web_server.base_url
    login(page, base, "ada@fund.example")
    open_profile(page)
    two_factor = section(page, "Two-factor")
    expect(two_factor).to_contain_text("Two-factor is off")
    two_factor.get_by_role("button", name="Set up two-factor").click()
    qr = page.locator("img.qr-code")
    expect(qr).to_have_attribute("alt", "QR code")
    page.wait_for_function("document.querySelector('img.qr-code').naturalWidth > 0")

    # the secret as the phone reads it: from the QR code's pixels
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.screenshot())))
    assert len(found) == 1
    uri = urllib.parse.urlparse(found[0].text)
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert "ada@fund.example" in urllib.parse.unquote(uri.path)
    secret = urllib.parse.parse_qs(uri.query)["secret"][0]
    assert secret == page.inner_text(".totp-secret")
    totp = pyotp.TOTP(secret)

    page.fill("input[name=code]", wrong_code(secret))
    page.click("button:has-text('Confirm')")
    expect(two_factor.locator(".enrolment .error")).not_to_be_empty()
    page.fill("input[name=code]", totp.now())
    page.click("button:has-text('Confirm')")
    codes = page.locator(".recovery-codes li")
    expect(codes).to_have_count(10)
    recovery = codes.all_inner_texts()
    assert len(set(recovery)) == 10
    with page.expect_download() as info:
        page.click("button:has-text('Download .txt')")
    saved = Path(info.value.path()).read_text()
    assert all(code in saved for code in recovery)
    two_factor.get_by_role("button", name="Done").click()
    expect(two_factor).to_contain_text("Two-factor is on")
    expect(two_factor).to_contain_text("10 recovery codes left")

    # signing in now takes a code: a wrong one is refused, the app's next code works (the
    # one used to confirm would be a replay)
    page.click("button:has-text('Log out')")
    log_in_with_password(page, base, "ada@fund.example")
    code = page.locator("input[name=code]")
    expect(code).to_have_attribute("autocomplete", "one-time-code")
    expect(code).to_have_attribute("inputmode", "numeric")
    code.fill(wrong_code(secret))
    page.click("button:has-text('Verify')")
    expect(page.locator(".login .error")).not_to_be_empty()
    assert page.locator(".user-name").count() == 0
    # five wrong codes void this sign-in: back to the password, with why
    for _ in range(4):
        with page.expect_response(lambda r: r.url.endswith("/api/auth/login/2fa")) as answer:
            code.fill(wrong_code(secret))
            page.click("button:has-text('Verify')")
        assert answer.value.status == 401
    code.fill(wrong_code(secret))
    page.click("button:has-text('Verify')")
    expect(page.locator(".login .error")).to_contain_text("enter your password again")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    code.fill(totp.at(time.time() + 30))
    page.click("button:has-text('Verify')")
    page.wait_for_selector(".user-name")
    assert page.inner_text(".user-name") == "Ada Admin"

    # and once with a recovery code, which then counts as used
    page.click("button:has-text('Log out')")
    log_in_with_password(page, base, "ada@fund.example")
    page.click("button:has-text('Use a recovery code instead')")
    page.fill("input[name=code]", recovery[0])
    page.click("button:has-text('Verify')")
    page.wait_for_selector(".user-name")
    open_profile(page)
    two_factor = section(page, "Two-factor")
    expect(two_factor).to_contain_text("9 recovery codes left")

    # turned off with a code (a recovery code here)
    two_factor.get_by_role("button", name="Turn off two-factor").click()
    expect(two_factor.get_by_role("button", name="Turn off two-factor")).to_have_count(1)
    two_factor.locator("input[name=code]").last.fill(recovery[1])
    two_factor.get_by_role("button", name="Turn off two-factor").click()
    expect(two_factor).to_contain_text("Two-factor is off")


def test_the_fund_policy_makes_an_admin_enrol_before_anything_else(web_server, page, tmp_path):
    # a second server on the same data, with two-factor required of admins
    proc, base = start_serve(dict(web_server.env, CRM_REQUIRE_2FA="admins"), tmp_path)
    try:
        login(page, base, "ada@fund.example")
        expect(page.locator(".enrol-page")).to_contain_text(
            "Your fund requires two-factor for your account")
        assert page.locator("nav").count() == 0  # no way to other pages meanwhile
        page.goto(base + "/#/users")  # nor by address, nor after a reload
        expect(page.locator(".enrol-page")).to_contain_text("Your fund requires two-factor")
        page.locator("img.qr-code").wait_for()
        assert page.locator("nav").count() == 0
        secret = page.inner_text(".totp-secret")  # typed by hand this time
        page.fill("input[name=code]", pyotp.TOTP(secret).now())
        page.click("button:has-text('Confirm')")
        expect(page.locator(".recovery-codes li")).to_have_count(10)
        page.click("button:has-text('continue')")
        page.wait_for_selector("nav a:has-text('Users')")

        # reloaded, the app opens straight away: two-factor is on
        page.reload()
        page.wait_for_selector("nav a:has-text('Users')")
    finally:
        stop_serve(proc)


def test_admin_makes_a_reset_link_and_the_member_chooses_a_new_password(web_server, new_context):
    base = web_server.base_url
    admin = new_context().new_page()
    login(admin, base, "ada@fund.example")
    admin.goto(base + "/#/users")
    max_row = admin.locator("tbody tr", has_text="max@fund.example")
    max_row.get_by_role("button", name="Reset link").click()
    link = admin.locator(".reset-link code")
    expect(link).to_contain_text("/reset#token=")
    assert "Hand this one-time link to Max Member" in admin.inner_text(".reset-link")
    token = admin.inner_text(".reset-link code").split("#token=", 1)[1]
    learn(token)

    member = new_context().new_page()
    member.goto(f"{base}/reset#token={token}")
    expect(member.locator("#title")).to_have_text("Choose a new password")
    assert member.locator("#name, #email").count() == 0
    member.fill("#password", NEW_PASSWORD)
    member.fill("#repeat", NEW_PASSWORD + "x")
    member.click("button[type=submit]")
    expect(member.locator("#message")).to_contain_text("differ")
    member.fill("#repeat", NEW_PASSWORD)
    member.click("button[type=submit]")
    expect(member.locator("#message")).to_have_text("Password changed for max@fund.example. Log in")
    member.click("#message a:has-text('Log in')")
    member.wait_for_selector("input[name=email]")
    login(member, base, "max@fund.example", NEW_PASSWORD)

    # the link works once
    again = new_context().new_page()
    again.goto(f"{base}/reset#token={token}")
    again.fill("#password", "yet-another-Password-7")
    again.fill("#repeat", "yet-another-Password-7")
    again.click("button[type=submit]")
    expect(again.locator("#message.error")).not_to_be_empty()


def test_admin_resets_a_members_two_factor_and_signs_them_out(web_server, page):
    base = web_server.base_url
    setup = web_server.call("POST", "/api/auth/2fa/enroll", email="max@fund.example")
    web_server.call("POST", "/api/auth/2fa/confirm", {"code": pyotp.TOTP(setup["secret"]).now()},
                    email="max@fund.example")
    login(page, base, "ada@fund.example")
    page.goto(base + "/#/users")
    max_row = page.locator("tbody tr", has_text="max@fund.example")
    ada_row = page.locator("tbody tr", has_text="ada@fund.example")
    two_factor = 4  # the column: name, email, role, active, two-factor, ...
    expect(max_row.locator("td").nth(two_factor)).to_have_text("on")
    expect(ada_row.locator("td").nth(two_factor)).to_have_text("off")
    expect(ada_row.get_by_role("button", name="Reset two-factor")).to_have_count(0)

    max_row.get_by_role("button", name="Sessions").click()
    sessions = page.locator(".user-sessions")
    expect(sessions).to_contain_text("Sessions of Max Member")
    expect(sessions).to_contain_text("A Python script")  # the test's API session
    sessions.get_by_role("button", name="Sign out everywhere").click()
    page.click(".dialog button:has-text('OK')")
    expect(sessions).to_contain_text("Max Member is not signed in anywhere")
    with pytest.raises(urllib.error.HTTPError) as refused:
        web_server.call("GET", "/api/auth/me", email="max@fund.example")
    assert refused.value.code == 401

    max_row.get_by_role("button", name="Reset two-factor").click()
    page.click(".dialog button:has-text('OK')")
    expect(max_row.locator("td").nth(two_factor)).to_have_text("off")
    expect(max_row.get_by_role("button", name="Reset two-factor")).to_have_count(0)
