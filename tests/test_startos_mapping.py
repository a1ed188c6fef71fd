"""The StartOS package configures a real server: a store.json as the package's actions leave
it, mapped by the package's own TypeScript (startos/config/mapping.ts, compiled and run with
node) to environment variables and 0600 secret files, reaches `crm serve` and `crm ...`.

main.ts does exactly this before each start: crmSettings(store, smtp) gives {env, files},
dataVolume.ts writes the files (0700 folders, 0600 files) and the daemon gets the env.
"""
import json
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.web.conftest import WebServer, _server_env, add_users, start_serve, stop_serve

STARTOS = Path(__file__).resolve().parents[1] / "startos"
NODE = shutil.which("node")
PUBLIC = "https://crm.fund.example"
SECRET_KEY = "s" * 64
SPARK_KEY = "sk-spark-mapping"
SMTP_PASSWORD = "smtp-mapping-pass"
SERVICE_ACCOUNT = {
    "type": "service_account",
    "project_id": "fund-crm",
    "private_key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n"
                   "-----END PRIVATE KEY-----\n",
    "client_email": "crm-sync@fund-crm.iam.gserviceaccount.com",
    "token_uri": "https://oauth2.googleapis.com/token",
}

# store.json after the admin ran Set Public URL, Configure Gmail, Digest Schedule, Set Spark
# Endpoint (Tailscale on) and Configure Digest Email (an account of the CRM's own).
STORE = {
    "secretKey": SECRET_KEY,
    "publicUrl": PUBLIC,
    "smtp": {"selection": "custom", "value": {"provider": {"selection": "other", "value": {
        "host": "smtp.fund.example", "from": "CRM <crm@fund.example>",
        "username": "crm@fund.example", "password": SMTP_PASSWORD,
        "security": {"selection": "starttls", "value": {"port": "587"}}}}}},
    "spark": {"baseUrl": "http://100.101.102.103:8000/v1", "model": "llama-3.1-8b",
              "apiKey": SPARK_KEY, "allowNetworks": [], "allowTailscale": True},
    "gmail": {"serviceAccountKey": json.dumps(SERVICE_ACCOUNT),
              "workspaceDomain": "fund.example", "fundDomains": ["fund.example", "gp.example"]},
    "digest": {"enabled": False, "sendAt": "06:15", "tz": "America/New_York"},
}


@pytest.fixture(scope="module")
def render(tmp_path_factory):
    """The package's mapping as a command: store.json path -> {env, files}."""
    if not NODE:
        pytest.skip("node is not installed: the StartOS package's mapping is TypeScript "
                    "(make test runs it where Node.js 20 is)")
    if not (STARTOS / "node_modules" / "@start9labs" / "start-sdk").is_dir():
        pytest.skip("startos/node_modules is missing: `make startos-check` installs it")
    out = tmp_path_factory.mktemp("startos-build")
    # Compiled here from the sources, so a stale startos/build cannot pass for them.
    subprocess.run([NODE, str(STARTOS / "node_modules" / "typescript" / "bin" / "tsc"),
                    "-p", str(STARTOS / "tsconfig.test.json"), "--outDir", str(out)],
                   check=True, capture_output=True, timeout=300)
    (out / "node_modules").symlink_to(STARTOS / "node_modules")

    def run(store_path):
        done = subprocess.run([NODE, str(out / "config" / "render.js"), str(store_path)],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    return run


def write_secret_files(root: Path, files: dict):
    """As startos/dataVolume.ts does: 0700 folders, 0600 files, null removes the file."""
    root.mkdir(mode=0o700, exist_ok=True)
    for relative, value in files.items():
        path = root / relative
        path.parent.mkdir(mode=0o700, exist_ok=True)
        if value is None:
            path.unlink(missing_ok=True)
            continue
        path.write_text(value)
        path.chmod(0o600)


@pytest.fixture(scope="module")
def configured(render, tmp_path_factory):
    """(server, mapping): `crm serve` started with what the package maps STORE to."""
    tmp = tmp_path_factory.mktemp("startos-server")
    (tmp / "store.json").write_text(json.dumps(STORE))
    mapping = render(tmp / "store.json")
    env = _server_env(tmp)
    # Only what the package gives the CRM: the secret key comes from its file, and no
    # variable of this machine may stand in for a mapped file.
    env.pop("CRM_SECRET_KEY")
    for name in list(env):
        if name.startswith(("SMTP_", "SPARK_", "GMAIL_", "DIGEST_")):
            env.pop(name)
    env.update(mapping["env"])
    write_secret_files(tmp / "secrets", mapping["files"])
    proc, base = start_serve(env, tmp)
    server = WebServer(base, tmp / "data", env)
    try:
        add_users(server)
        yield server, mapping
    finally:
        stop_serve(proc)


def crm(server, *args):
    return subprocess.run([sys.executable, "-m", "core", *args], env=server.env,
                          capture_output=True, text=True, timeout=120)


def test_the_mapping_keeps_secrets_out_of_the_environment(configured):
    server, mapping = configured
    assert mapping["env"] == {"CRM_PUBLIC_URL": PUBLIC}
    for secret in (SECRET_KEY, SPARK_KEY, SMTP_PASSWORD, SERVICE_ACCOUNT["private_key"]):
        assert not any(secret in value for value in mapping["env"].values())
    secrets = Path(server.env["CRM_SECRETS_DIR"])
    key = secrets / "gmail" / "service_account.json"
    assert json.loads(key.read_text()) == SERVICE_ACCOUNT
    assert {oct(p.stat().st_mode & 0o777) for p in secrets.rglob("*") if p.is_file()} == {"0o600"}
    security = server.call("GET", "/api/admin/security")
    checks = {c["name"]: c for c in security["checks"]}
    assert checks["secret_files"]["passed"], checks["secret_files"]
    # The key came from secrets/secret_key alone: CRM_SECRET_KEY is not set.
    assert checks["secret_key"]["detail"].startswith(f"{len(SECRET_KEY)} characters, configured")
    assert checks["transport"]["detail"] == "public URL is HTTPS"
    assert checks["spark_local"]["passed"], checks["spark_local"]


def test_invite_and_reset_links_use_the_public_url(configured):
    server, _ = configured
    invite = server.call("POST", "/api/admin/invites", {"email": "lp@fund.example"})
    assert invite["invite_url"].startswith(PUBLIC + "/invite#token=")
    reset = crm(server, "users", "reset-link", "--email", "max@fund.example")
    assert reset.returncode == 0, reset.stderr
    assert reset.stdout.startswith(PUBLIC + "/reset#token=")
    assert server.call("GET", "/api/admin/public-url") == {
        "public_url": PUBLIC, "links_base": PUBLIC, "secure_cookie": True}


def test_the_session_cookie_is_secure_on_https(configured):
    server, _ = configured
    body = json.dumps({"email": "max@fund.example", "password": "correct horse battery"})
    req = urllib.request.Request(server.base_url + "/api/auth/login", data=body.encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=10) as resp:
        cookies = resp.headers.get_all("Set-Cookie")
    assert cookies and all("Secure" in cookie for cookie in cookies)


def test_digest_and_spark_settings_reach_the_crm(configured):
    server, _ = configured
    digest = server.call("GET", "/api/admin/digest/settings")
    assert (digest["enabled"], digest["send_at"], digest["tz"]) == (False, "06:15",
                                                                     "America/New_York")
    # 100.101.102.103 is on Tailscale: allowed only through spark/allow_networks.
    assert digest["model_server"] == {"available": True,
                                      "detail": "the model server at 100.101.102.103:8000"}


def test_smtp_account_reaches_the_crm(configured):
    server, _ = configured
    status = crm(server, "smtp", "status")
    assert status.returncode == 0, status.stderr
    assert "smtp.fund.example" in status.stdout and "587" in status.stdout
    assert SMTP_PASSWORD not in status.stdout and "(set)" in status.stdout


def test_gmail_settings_reach_the_crm(configured):
    server, _ = configured
    outside = crm(server, "gmail", "enable", "--user", "max@fund.example",
                  "--address", "max@elsewhere.example")
    assert outside.returncode != 0
    assert "fund.example" in outside.stderr
    inside = crm(server, "gmail", "enable", "--user", "max@fund.example")
    assert inside.returncode == 0, inside.stderr
    assert "Gmail sync on for max@fund.example" in inside.stdout
    # The fund's domains have no route or command of their own: read them the way the
    # CRM does, with its settings loader and the server's environment.
    read = subprocess.run(
        [sys.executable, "-c", "from core.settings import secrets_root; "
         "from plugins.gmail.settings import GmailSettings; "
         "s = GmailSettings.load(secrets_root()); print(s.fund_domains, s.workspace_domain)"],
        env=server.env, capture_output=True, text=True, timeout=60)
    assert read.stdout.split() == ["['fund.example',", "'gp.example']", "fund.example"]


def test_a_fresh_install_maps_to_the_crm_defaults(render, tmp_path):
    """Before any action: no public URL, and no optional file (the CRM's defaults apply)."""
    store = {"secretKey": SECRET_KEY, "publicUrl": None,
             "smtp": {"selection": "disabled", "value": {}}}
    (tmp_path / "store.json").write_text(json.dumps(store))
    mapping = render(tmp_path / "store.json")
    assert mapping["env"] == {}
    assert {k: v for k, v in mapping["files"].items() if v is not None} == {
        "secret_key": SECRET_KEY}
