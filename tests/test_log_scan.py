"""The suite-wide log scan (tests/log_scan.py) finds what it is meant to find."""
import logging
import secrets

from tests.log_scan import LogScanner, ScanHandler


def scanned(*lines, passwords=("s3cret-Pass-word!",), tokens=()):
    scanner = LogScanner(passwords)
    for token in tokens:
        scanner.learn(token)
    for line in lines:
        scanner.scan(line, "test")
    return [what for _, what in scanner.findings]


def test_passwords_and_tokens_are_found_wherever_they_sit():
    token = secrets.token_urlsafe(32)
    assert scanned("AUTH failed for crm@fund.example with s3cret-Pass-word! (535)") == \
        ["password #1"]
    assert scanned(f"GET /api/x?token={token}&y=1", tokens=[token]) == ["a token"]
    assert scanned(f"access token ya29.fake-{token} expired", tokens=[token]) == ["a token"]
    assert scanned("login ok for ada@fund.example", "session 42 ended", tokens=[token]) == []


def test_the_console_setup_link_is_not_a_log_line():
    token = secrets.token_urlsafe(32)
    assert scanned(f"  http://127.0.0.1:8000/setup#token={token}", tokens=[token]) == []


def test_log_records_of_any_level_reach_the_scanner():
    scanner = LogScanner(["correct horse battery"])
    handler = ScanHandler(scanner)
    log = logging.getLogger("tests.log_scan_probe")
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    log.propagate = False  # these lines are meant to be found: not by the session's scan
    try:
        log.debug("password was %s", "correct horse battery")
        try:
            raise ValueError("correct horse battery")
        except ValueError:
            log.exception("failed")
    finally:
        log.removeHandler(handler)
    assert [what for _, what in scanner.findings] == ["password #1", "password #1"]


def test_tokens_made_in_this_process_are_learnt():
    from tests.log_scan import SCANNER
    token = secrets.token_urlsafe(24)  # wrapped for the session by the plugin
    assert token in SCANNER.tokens
