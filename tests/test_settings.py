import os
import stat
import subprocess
import sys

import pytest
from pydantic import ValidationError

from core.context import ConfigError, build_crm, resolve_secret_key
from core.settings import Settings, secrets_root


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for key in list(os.environ):
        if key.startswith("CRM_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_defaults(clean_env):
    s = Settings()
    assert s.host == "127.0.0.1" and s.port == 8080 and s.env == "development"
    assert s.data_dir.as_posix() == "data" and s.plugins is None
    assert s.secrets_dir.as_posix() in ("data/secrets", "/data/secrets")


def test_environment_wins_over_secret_files_and_toml(clean_env, monkeypatch):
    secrets = clean_env / "secrets"
    secrets.mkdir()
    (secrets / "secret_key").write_text("from-file-" + "x" * 30)
    (secrets / "port").write_text("9000")
    (clean_env / "crm.toml").write_text('port = 7000\nhost = "0.0.0.0"\nplugins = ["a"]\n')
    monkeypatch.setenv("CRM_SECRETS_DIR", str(secrets))
    s = Settings()
    assert s.secret_key.get_secret_value().startswith("from-file-")
    assert s.port == 9000  # secret file beats toml
    assert s.host == "0.0.0.0"  # toml used when nothing else says
    assert s.plugins == ["a"]
    monkeypatch.setenv("CRM_PORT", "7100")
    monkeypatch.setenv("CRM_SECRET_KEY", "from-env-" + "y" * 30)
    monkeypatch.setenv("CRM_PLUGINS", "fundraising, smtp")
    s = Settings()
    assert s.port == 7100 and s.secret_key.get_secret_value().startswith("from-env-")
    assert s.plugins == ["fundraising", "smtp"]


def test_secrets_root_default(clean_env, monkeypatch):
    assert secrets_root({"CRM_SECRETS_DIR": "/x/y"}).as_posix() == "/x/y"
    expected = "/data/secrets" if os.path.isdir("/data/secrets") else "data/secrets"
    assert secrets_root({}).as_posix() == expected


def test_bad_value_names_the_setting(clean_env, monkeypatch):
    monkeypatch.setenv("CRM_PORT", "eighty")
    with pytest.raises(ValidationError, match="port"):
        Settings()


def test_development_key_is_generated_owner_only(clean_env):
    s = Settings(secrets_dir=clean_env / "s", data_dir=clean_env / "d")
    key = resolve_secret_key(s)
    path = clean_env / "s" / "secret_key"
    assert path.read_text() == key and len(key) >= 48
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert resolve_secret_key(s) == key


def test_production_without_secret_is_refused(clean_env):
    s = Settings(env="production", secrets_dir=clean_env / "s", data_dir=clean_env / "d")
    with pytest.raises(ConfigError, match="CRM_SECRET_KEY"):
        build_crm(s)


def test_production_without_secret_exits_non_zero(clean_env):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRM_")}
    env.update(CRM_ENV="production", CRM_DATA_DIR=str(clean_env / "d"),
               CRM_SECRETS_DIR=str(clean_env / "s"))
    result = subprocess.run([sys.executable, "-m", "core", "serve", "--port", "0"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "CRM_SECRET_KEY" in result.stderr
    assert not (clean_env / "d" / "crm.db").exists()


def test_database_pragmas(crm):
    db = crm.db
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
