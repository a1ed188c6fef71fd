"""SMTP settings: SMTP_USER and SMTP_PASS are other names of SMTP_USERNAME and SMTP_PASSWORD."""
import pytest

from core.context import ConfigError, build_crm
from plugins.smtp.settings import SmtpSettings

NAMES = ("SMTP_USER", "SMTP_USERNAME", "SMTP_PASS", "SMTP_PASSWORD")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)


def test_user_and_pass_are_read(monkeypatch, tmp_path):
    monkeypatch.setenv("SMTP_USER", "crm@fund.example")
    monkeypatch.setenv("SMTP_PASS", "app password 1")
    settings = SmtpSettings.load(tmp_path)
    assert settings.username == "crm@fund.example"
    assert settings.password.get_secret_value() == "app password 1"


def test_the_long_names_and_files_still_work(monkeypatch, tmp_path):
    (tmp_path / "smtp").mkdir()
    (tmp_path / "smtp" / "password").write_text("from a file")
    monkeypatch.setenv("SMTP_USERNAME", "crm@fund.example")
    settings = SmtpSettings.load(tmp_path)
    assert settings.username == "crm@fund.example"
    assert settings.password.get_secret_value() == "from a file"


def test_both_names_agreeing_is_fine(monkeypatch, tmp_path):
    monkeypatch.setenv("SMTP_USER", "crm@fund.example")
    monkeypatch.setenv("SMTP_USERNAME", "crm@fund.example")
    assert SmtpSettings.load(tmp_path).username == "crm@fund.example"


@pytest.mark.parametrize("alias,name", [("SMTP_USER", "SMTP_USERNAME"),
                                        ("SMTP_PASS", "SMTP_PASSWORD")])
def test_a_conflicting_pair_stops_the_start_naming_both(monkeypatch, make_settings, alias,
                                                        name):
    monkeypatch.setenv(alias, "one value here")
    monkeypatch.setenv(name, "another value")
    with pytest.raises(ConfigError) as error:
        build_crm(make_settings()).check_plugin_settings()
    assert alias in str(error.value) and name in str(error.value)
    assert "one value here" not in str(error.value) and "another value" not in str(error.value)
