"""A fresh install, started as `make run` starts it, passes its own go-live checklist except
what only production settings can pass."""
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request

from tests.log_scan import learn, scan_line

PASSWORD = "correct horse battery"
# What a laptop's `make run` cannot pass: CRM_ENV=production is a deployment's choice, and
# two-factor is required (of admins) by default only in production.
PRODUCTION_ONLY = {"production_mode", "two_factor"}


def call(base, method, path, body=None, token=None):
    req = urllib.request.Request(base + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


def fresh_env(tmp_path):
    """No CRM_* or plugin settings at all, as on a new checkout; only the secrets folder is
    named, so a host's /data/secrets is never touched."""
    prefixes = ("CRM_", "SPARK_", "SMTP_", "DIGEST_", "GMAIL_", "FUNDRAISING_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    env["CRM_SECRETS_DIR"] = str(tmp_path / "data" / "secrets")
    return env


def test_make_run_on_an_empty_data_dir_is_green_but_for_production(tmp_path):
    env = fresh_env(tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", "core", "serve", "--port", "0"], env=env,
                            cwd=tmp_path, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            text=True)
    try:
        base = None
        for line in proc.stderr:
            scan_line(line, "crm serve stderr")
            if m := re.search(r"serving on (http://127\.0\.0\.1:\d+)", line):
                base = m.group(1)
                break
        assert base, "the server did not start"
        threading.Thread(target=lambda: [scan_line(line, "crm serve stderr")
                                         for line in proc.stderr], daemon=True).start()
        # the new user's way in: the one-time setup link, then the setup form's call
        link = subprocess.run([sys.executable, "-m", "core", "users", "setup-link"], env=env,
                              cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert link.returncode == 0, link.stderr
        token = link.stdout.strip().rsplit("#token=", 1)[1]
        learn(token)
        session = call(base, "POST", "/api/auth/setup", {
            "token": token, "email": "ada@fund.example", "name": "Ada Admin",
            "password": PASSWORD})
        learn(session["token"])
        failing = None
        deadline = time.monotonic() + 60  # a bound, not a measure: the first backup is quick
        while time.monotonic() < deadline:
            report = call(base, "GET", "/api/admin/security", token=session["token"])
            failing = {c["name"]: c["detail"] for c in report["checks"] if not c["passed"]}
            if set(failing) <= PRODUCTION_ONLY:
                break
            time.sleep(0.2)
        assert set(failing) == PRODUCTION_ONLY, failing
        passed = {c["name"] for c in report["checks"] if c["passed"]}
        assert {"secret_key", "transport", "backups_scheduled", "recent_backup",
                "database_file", "secret_files", "admin_exists", "setup_closed"} <= passed
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_a_short_configured_secret_key_still_fails(make_crm):
    from core.security import core_checks
    crm = make_crm(secret_key="too-short")
    check = next(c for c in core_checks(crm) if c.name == "secret_key")
    passed, detail = check.run()
    assert passed is False and "9 characters, configured" in detail


def test_a_new_install_takes_its_first_backup_at_once(make_crm):
    from plugins.backups.policy import backup_security_checks, backup_tasks
    from plugins.backups.store import BackupStore
    from tests.backups.conftest import Clock
    crm = make_crm()
    clock = Clock("2026-12-05T00:30:00")  # before the 02:00 UTC schedule
    task = backup_tasks(crm, clock)[0]
    assert task.at_start  # the scheduler runs it as it starts, not a minute later
    recent = next(c for c in backup_security_checks(crm, clock) if c.name == "recent_backup")
    assert recent.run()[0] is False
    task.run()
    assert recent.run()[0] is True
    task.run()  # the first one is not taken again before tonight's
    assert len(BackupStore(crm, clock).list_backups()) == 1
    clock.at = clock.at.replace(hour=2, minute=1)
    task.run()  # tonight's scheduled one still happens
    assert len(BackupStore(crm, clock).list_backups()) == 2
