import pytest
from click.testing import CliRunner

from core.accounts import Accounts, verify_password
from core.cli import build_cli
from tests.plugins import example_plugin

PASSWORD = "correct horse battery"


def run(settings, *args, input=None, extra=None):
    result = CliRunner().invoke(build_cli(settings, extra_plugins=extra), list(args), input=input)
    return result


def test_create_admin_reads_password_from_stdin(make_settings, make_crm):
    settings = make_settings()
    result = run(settings, "users", "create-admin", "--email", "ada@fund.example", "--name", "Ada",
                 input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "Created admin ada@fund.example" in result.output
    assert PASSWORD not in result.output
    crm = make_crm()
    user = Accounts(crm).find_by_email("ada@fund.example")
    assert user["role"] == "admin" and verify_password(user["password_hash"], PASSWORD)


def test_create_admin_rejects_empty_stdin_and_short_password(make_settings, make_crm):
    settings = make_settings()
    empty = run(settings, "users", "create-admin", "--email", "a@fund.example", "--name", "A",
                input="")
    assert empty.exit_code == 1 and "expected one line on stdin" in empty.output
    short = run(settings, "users", "create-admin", "--email", "a@fund.example", "--name", "A",
                input="short\n")
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    assert Accounts(make_crm()).count_users() == 0


def test_create_admin_has_no_password_option(make_settings):
    result = run(make_settings(), "users", "create-admin", "--email", "a@b.c", "--name", "A",
                 "--password", PASSWORD)
    assert result.exit_code == 2 and "No such option" in result.output


def test_users_list_and_setup_link(make_settings):
    settings = make_settings()
    link = run(settings, "users", "setup-link")
    assert link.exit_code == 0 and "/setup#token=" in link.output
    run(settings, "users", "create-admin", "--email", "ada@fund.example", "--name", "Ada",
        input=PASSWORD + "\n")
    listed = run(settings, "users", "list")
    assert "ada@fund.example" in listed.output and "admin" in listed.output
    again = run(settings, "users", "setup-link")
    assert again.exit_code == 1 and "Users exist" in again.output


def test_tasks_list_and_run(make_settings, make_crm):
    settings = make_settings()
    extra = {"example": example_plugin}
    listed = run(settings, "tasks", "list", extra=extra)
    assert "example.tidy" in listed.output and "10 minutes" in listed.output
    ran = run(settings, "tasks", "run", "example.tidy", extra=extra)
    assert ran.exit_code == 0 and "Ran example.tidy" in ran.output
    missing = run(settings, "tasks", "run", "nope", extra=extra)
    assert missing.exit_code == 1 and "No scheduled task named 'nope'" in missing.output


def test_migrate_reports_nothing_the_second_time(make_settings):
    settings = make_settings()
    run(settings, "migrate")
    assert run(settings, "migrate").output.strip() == "Nothing to migrate"


@pytest.mark.parametrize("email", ["ada@fund.example\r\nBcc: x@evil.example", "not an email",
                                   "ada@fund.example\n"])
def test_create_admin_refuses_an_email_that_is_not_one_address(make_settings, email):
    runner = CliRunner()
    result = runner.invoke(build_cli(make_settings()), ["users", "create-admin", "--email", email,
                                                        "--name", "Ada"],
                           input="correct horse battery\n")
    assert result.exit_code != 0 and "email" in result.output


def test_serve_stops_at_a_bad_plugin_setting_naming_it(make_settings, monkeypatch):
    monkeypatch.setenv("CRM_FUNDRAISING_MEMBER_ARCHIVE_LIMIT", "-3")
    result = run(make_settings(), "serve", "--port", "0")
    assert result.exit_code == 1
    assert "CRM_FUNDRAISING_MEMBER_ARCHIVE_LIMIT" in result.output


def test_register_settings_bad_digest_tz_stops_serve_and_commands_naming_it(make_settings,
                                                                            monkeypatch):
    monkeypatch.setenv("DIGEST_TZ", "Mars/Base")
    settings = make_settings()
    served = run(settings, "serve", "--port", "0")
    assert served.exit_code == 1
    assert "DIGEST_TZ" in served.output and "Mars/Base" in served.output
    listed = run(settings, "users", "list")
    assert listed.exit_code == 1 and "DIGEST_TZ" in listed.output
    assert not settings.database_path.exists()  # stopped before anything was written
    # with the digest plugin disabled, its settings are not read
    assert run(make_settings(plugins=["fundraising"]), "users", "list").exit_code == 0


def test_bad_digest_tz_stops_the_real_serve_command(tmp_path):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith(("CRM_", "DIGEST_"))}
    env.update(DIGEST_TZ="Mars/Base", CRM_DATA_DIR=str(tmp_path / "d"),
               CRM_SECRETS_DIR=str(tmp_path / "s"))
    result = subprocess.run([sys.executable, "-m", "core", "serve", "--port", "0"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "invalid digest setting: DIGEST_TZ" in result.stderr
