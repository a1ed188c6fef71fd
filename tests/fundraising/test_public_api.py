"""Built-in fields are reached by stable key: renaming every one of them breaks no plugin."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from falcon import testing

from core.app import create_app
from plugins.digest.build import build_digest
from plugins.gmail.sync import sync_all
from plugins.webapp.demo import load_demo
from tests.conftest import add_user, login
from tests.fundraising.test_import import apply
from tests.gmail.conftest import fake_gmail, service_account_key  # noqa: F401 (fixtures)
from tests.gmail.test_capture import ADA, NOW, gmail_crm, mail, proposals, synced  # noqa: F401

RENAMES = {
    "investors": {"Name": "Investor Name", "Stage": "Pipeline Stage", "Owner": "Partner",
                  "Check Size": "Ticket", "Last Contact": "Last Touch"},
    "contacts": {"Name": "Full Name", "Investor": "Firm", "Email": "Work Email",
                 "Title": "Role"},
}


def rename_builtins(client, headers):
    for table, renames in RENAMES.items():
        fields = client.simulate_get("/api/fundraising/fields", headers=headers,
                                     params={"table": table}).json["fields"]
        for field in fields:
            if field["name"] in renames:
                result = client.simulate_patch(f"/api/fundraising/fields/{field['id']}",
                                               headers=headers,
                                               json={"name": renames[field["name"]]})
                assert result.status_code == 200, result.json


def list_names(client, headers, name):
    result = client.simulate_get(f"/api/fundraising/lists/{name}", headers=headers,
                                 params={"limit": "1000"})
    assert result.status_code == 200, result.json
    return sorted(r["name"] for r in result.json["records"])


def test_renaming_every_builtin_field_breaks_no_plugin(synced, fake_gmail, client, admin,
                                                       make_crm, tmp_path):
    h = admin["headers"]
    rename_builtins(client, h)

    # email approval moves the renamed Last Contact forward
    mail(fake_gmail, ADA, subject="Fund II", days_ago=2)
    sync_all(synced)
    (proposal,) = proposals(client, h)
    approved = client.simulate_post(f"/api/gmail/proposals/{proposal['id']}/approve", headers=h)
    assert approved.status_code == 200, approved.json
    acme = client.simulate_get(f"/api/fundraising/investors/{synced.acme['id']}",
                               headers=h).json
    assert acme["fields"]["Last Touch"] == (NOW - timedelta(days=2)).date().isoformat()

    # the digest of that day names the investor
    day = datetime.fromisoformat(proposal["sent_at"].replace("Z", "+00:00")).date()
    digest = build_digest(synced, day, ZoneInfo("UTC"), summarize=False)
    assert [g["investor"] for p in digest["people"] for g in p["investors"]] == ["Acme Capital"]

    # the built-in automation rules still read their fields
    today = datetime.now(timezone.utc).date()
    for name, fields in (("Stale", {"Last Touch": (today - timedelta(days=90)).isoformat(),
                                    "Ticket": 500_000}),
                         ("Gone", {"Pipeline Stage": "Passed", "Ticket": 500_000}),
                         ("Tiny", {"Ticket": 25_000, "Last Touch": today.isoformat()})):
        made = client.simulate_post("/api/fundraising/investors", headers=h,
                                    json={"name": name, "fields": fields})
        assert made.status_code == 201, made.json
    run = client.simulate_post("/api/automation/run", headers=h).json
    assert run["errors"] == 0, run
    assert list_names(client, h, "follow_up") == ["Stale"]
    assert list_names(client, h, "graveyard") == ["Gone"]
    assert list_names(client, h, "longshot") == ["Tiny"]

    # an import by the new column names
    csv = ("Investor Name,Pipeline Stage,Ticket,Last Touch\r\n"
           "Birch Partners,Meeting,\"$2,000,000\",2026-11-24\r\n").encode()
    imported = apply(client, h, csv)
    assert imported.status_code == 200, imported.json
    birch = next(r for r in client.simulate_get("/api/fundraising/investors", headers=h,
                                                params={"limit": "1000"}).json["records"]
                 if r["name"] == "Birch Partners")
    assert birch["fields"] == {"Pipeline Stage": "Meeting", "Ticket": 2_000_000,
                               "Last Touch": "2026-11-24"}

    # the demo loads into an empty CRM whose built-ins were renamed
    demo = make_crm(data_dir=tmp_path / "demo")
    demo_client = testing.TestClient(create_app(demo))
    add_user(demo, "ada@fund.example")
    rename_builtins(demo_client, login(demo_client, "ada@fund.example"))
    counts = load_demo(demo, investors=12, seed=3)
    assert counts["investors"] == 12 and counts["contacts"] >= 12
    one = demo.db.execute("SELECT stage, check_size, email FROM fundraising_investors i JOIN "
                          "fundraising_contacts c ON c.investor_id = i.id LIMIT 1").fetchone()
    assert all(one)


def test_other_plugins_use_no_fundraising_table_but_through_the_api():
    """SQL of automation, gmail, digest and the demo names no fundraising_ table, but in the
    foreign keys of their migrations; the import-linter contracts check the imports."""
    import re
    from pathlib import Path

    files = [*Path("plugins").glob("automation/*.py"), *Path("plugins").glob("gmail/*.py"),
             *Path("plugins").glob("digest/*.py"), Path("plugins/webapp/demo.py")]
    found = [(f.name, m[0]) for f in files
             for m in re.finditer(r"(?<!REFERENCES )fundraising_\w+", f.read_text())]
    assert len(files) > 20 and found == []
