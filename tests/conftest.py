import pytest
from falcon import testing

from core.accounts import Accounts
from core.app import create_app
from core.context import build_crm
from core.settings import Settings

pytest_plugins = ["tests.log_scan"]  # no secret in any log line of the suite


@pytest.fixture
def make_settings(tmp_path, monkeypatch):
    """Settings rooted in tmp_path; keyword arguments override any field."""
    monkeypatch.delenv("CRM_PLUGINS", raising=False)

    def make(**overrides):
        # a cheaper argon2id cost keeps the suite fast; production cost is checked apart
        values = {"data_dir": tmp_path / "data", "secrets_dir": tmp_path / "secrets",
                  "secret_key": "k" * 40, "password_memory_kib": 8192, "password_time_cost": 1}
        values.update(overrides)
        return Settings(**values)

    return make


@pytest.fixture
def make_crm(make_settings):
    made = []

    def make(extra_plugins=None, **overrides):
        crm = build_crm(make_settings(**overrides), extra_plugins=extra_plugins)
        made.append(crm)
        return crm

    yield make
    for crm in made:
        crm.database.close()


@pytest.fixture
def crm(make_crm):
    return make_crm()


@pytest.fixture
def client(crm):
    return testing.TestClient(create_app(crm))


PASSWORD_DEFAULT = "correct horse battery"


@pytest.fixture
def cli_runner(crm):
    """run("users", "list", code=0): `crm` on the crm fixture's data; checks the exit code."""
    from click.testing import CliRunner

    from core.cli import build_cli

    def run(*args, code=0, input=None):
        result = CliRunner().invoke(build_cli(crm.settings), list(args), input=input)
        assert result.exit_code == code, result.output
        return result

    return run


def add_user(crm, email, role="admin", name=None, password="correct horse battery"):
    with crm.write() as db:
        return Accounts(crm).create_user(db, email, name or email.split("@")[0].title(), role,
                                         password)


def login(client, email, password="correct horse battery"):
    result = client.simulate_post("/api/auth/login", json={"email": email, "password": password})
    assert result.status_code == 200, result.json
    return {"Authorization": f"Bearer {result.json['token']}"}


@pytest.fixture
def admin(crm, client):
    user = add_user(crm, "ada@fund.example", "admin", "Ada Admin")
    return {**user, "headers": login(client, "ada@fund.example")}


@pytest.fixture
def member(crm, client):
    user = add_user(crm, "max@fund.example", "member", "Max Member")
    return {**user, "headers": login(client, "max@fund.example")}
