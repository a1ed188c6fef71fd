"""Links the CRM hands out open from the team's browsers: they are built on CRM_PUBLIC_URL,
else on the address the admin's request came to (never the listening 0.0.0.0)."""
from falcon import testing

from core.app import create_app
from tests.conftest import add_user, login

PUBLIC = "https://crm.fund.example"


def _admin_client(make_crm, **settings):
    crm = make_crm(**settings)
    client = testing.TestClient(create_app(crm))
    user = add_user(crm, "ada@fund.example", "admin", "Ada Admin")
    return crm, client, user, login(client, "ada@fund.example")


def test_links_use_the_public_url(make_crm):
    crm, client, ada, headers = _admin_client(make_crm, public_url=PUBLIC + "/", host="0.0.0.0")
    invite = client.simulate_post("/api/admin/invites", headers=headers,
                                  json={"email": "max@fund.example"}).json
    assert invite["invite_url"].startswith(PUBLIC + "/invite#token=")
    reset = client.simulate_post(f"/api/admin/users/{ada['id']}/reset-link", headers=headers).json
    assert reset["reset_url"].startswith(PUBLIC + "/reset#token=")
    status = client.simulate_get("/api/admin/public-url", headers=headers).json
    assert status == {"public_url": PUBLIC + "/", "links_base": PUBLIC, "secure_cookie": True}


def test_without_one_links_use_the_address_the_admin_opened(make_crm):
    crm, client, ada, headers = _admin_client(make_crm, host="0.0.0.0", port=8080)
    here = {**headers, "Host": "192.168.1.20:8080"}
    invite = client.simulate_post("/api/admin/invites", headers=here,
                                  json={"email": "max@fund.example"}).json
    assert invite["invite_url"].startswith("http://192.168.1.20:8080/invite#token=")
    assert "0.0.0.0" not in invite["invite_url"]
    status = client.simulate_get("/api/admin/public-url", headers=here).json
    assert status == {"public_url": None, "links_base": "http://192.168.1.20:8080",
                      "secure_cookie": False}


def test_the_cli_uses_the_public_url(make_crm, make_settings):
    from click.testing import CliRunner

    from core.cli import build_cli

    crm, client, ada, headers = _admin_client(make_crm, public_url=PUBLIC)
    result = CliRunner().invoke(build_cli(make_settings(public_url=PUBLIC)),
                                ["users", "reset-link", "--email", "ada@fund.example"])
    assert result.stdout.startswith(PUBLIC + "/reset#token=")


def test_members_do_not_see_it(client, member):
    assert client.simulate_get("/api/admin/public-url",
                               headers=member["headers"]).status_code == 403
