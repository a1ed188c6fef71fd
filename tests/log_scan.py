"""A pytest plugin: no password, token or SMTP credential may appear in any log line of the
suite. Every log record of this process (any logger, any level) and every line the real
servers write to stderr is checked as it is written, against the suite's passwords and
every token the code under test made; the run fails at the end when one was found.

Tokens are learnt as they are made (secrets.token_urlsafe / token_hex in this process) or
as a test receives them from a server in another process (learn()). The one-time setup
link that `crm serve` prints on its console by design is not a log line and is skipped."""
import logging
import re
import secrets
import threading

import pytest

# The suite's passwords and keys (tests/*: conftest, smtp, entrypoint, admin settings).
PASSWORDS = ["correct horse battery", "s3cret-Pass-word!", "wrong-Password-123",
             "from-operator", "pa ss'w\"rd $HOME `id` \\n -e *", "k" * 40, "s" * 48]
TOKENISH = re.compile(r"[A-Za-z0-9_\-]{16,}")  # the alphabet of token_urlsafe and hex
DESIGNED = ("/setup#token=",)  # the console's one-time setup link
# Loggers of the peers the tests run, not of the CRM: aiosmtpd (the test SMTP server, which
# two tests make echo the password back on purpose) is kept at its usual level, unscanned.
PEERS = ("mail.log",)


class LogScanner:
    def __init__(self, passwords=()):
        self.passwords = set(passwords)
        self.tokens = set()
        self.findings = []  # (source, what was found), never the secret itself
        self.lines = 0
        self._lock = threading.Lock()

    def learn(self, token):
        if isinstance(token, str) and len(token) >= 16:
            with self._lock:
                self.tokens.add(token)

    def scan(self, line: str, source: str):
        self.lines += 1
        if any(mark in line for mark in DESIGNED):
            return
        found = [f"password #{sorted(self.passwords).index(p) + 1}"
                 for p in self.passwords if p in line]
        for word in TOKENISH.findall(line):
            if not self.tokens.isdisjoint(_pieces(word)):
                found.append("a token")
        for what in found:
            self.findings.append((source, what))


def _pieces(word: str) -> set[str]:
    """word, and its parts before and after each '-': a token may be glued to a prefix
    such as 'fake-' by a dash, which token_urlsafe also uses."""
    pieces = {word}
    for at, char in enumerate(word):
        if char == "-":
            pieces.update((word[:at], word[at + 1:]))
    return pieces


class ScanHandler(logging.Handler):
    def __init__(self, scanner):
        super().__init__(logging.DEBUG)
        self.scanner = scanner

    def emit(self, record):
        try:
            text = record.getMessage()
            if record.exc_info:
                text += "\n" + logging.Formatter().formatException(record.exc_info)
        except Exception:  # a record that cannot be formatted is not this check's business
            return
        if record.name.startswith(PEERS):
            return
        self.scanner.scan(text, f"log {record.name}")


SCANNER = LogScanner(PASSWORDS)


def learn(token):
    """A token the test got from a server in another process."""
    SCANNER.learn(token)


def scan_line(line: str, source: str):
    """A line a server in another process wrote to its stderr."""
    SCANNER.scan(line, source)


def _remembered(make):
    def wrapper(*args, **kwargs):
        value = make(*args, **kwargs)
        SCANNER.learn(value)
        return value
    return wrapper


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session):
    root = logging.getLogger()
    session.config._log_scan = (root.level, ScanHandler(SCANNER), secrets.token_urlsafe,
                                secrets.token_hex)
    root.addHandler(session.config._log_scan[1])
    root.setLevel(logging.DEBUG)
    for name in PEERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    secrets.token_urlsafe = _remembered(secrets.token_urlsafe)
    secrets.token_hex = _remembered(secrets.token_hex)


def pytest_sessionfinish(session, exitstatus):
    level, handler, urlsafe, hexed = session.config._log_scan
    logging.getLogger().removeHandler(handler)
    logging.getLogger().setLevel(level)
    secrets.token_urlsafe, secrets.token_hex = urlsafe, hexed
    if SCANNER.findings and session.exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter):
    found = SCANNER.findings
    terminalreporter.write_line(
        f"log scan: {SCANNER.lines:,} log lines checked against {len(SCANNER.passwords)} "
        f"passwords and {len(SCANNER.tokens):,} tokens: "
        + ("no secret found" if not found else f"{len(found)} SECRET(S) IN LOGS"),
        red=bool(found), green=not found)
    for source, what in found[:20]:
        terminalreporter.write_line(f"  {what} in {source}", red=True)
