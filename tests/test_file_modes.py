"""The database and the files SQLite keeps beside it are owner-only however the CRM starts,
and the security status says so."""
import os
import stat
import subprocess
import sys

from core.security import security_report


def modes(data_dir):
    return {p.name: stat.S_IMODE(p.stat().st_mode) for p in data_dir.iterdir()
            if p.name.startswith("crm.db")}


def test_cli_creates_the_database_files_owner_only(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRM_")}
    env.update(CRM_DATA_DIR=str(tmp_path / "data"), CRM_SECRETS_DIR=str(tmp_path / "secrets"),
               CRM_SECRET_KEY="k" * 40)
    # a shell's usual umask: group and others may read what it creates
    result = subprocess.run([sys.executable, "-c", "import os; os.umask(0o022); "
                             "from core.cli import main; main()", "migrate"],
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    found = modes(tmp_path / "data")
    assert "crm.db" in found
    assert set(found.values()) == {0o600}, {k: oct(v) for k, v in found.items()}


def test_opening_takes_others_access_off_existing_files(make_settings):
    from core.context import build_crm

    settings = make_settings()
    settings.data_dir.mkdir(parents=True)
    for name in ("crm.db", "crm.db-wal", "crm.db-shm"):
        path = settings.data_dir / name
        path.write_bytes(b"")
        path.chmod(0o644)
    (settings.data_dir / "crm.db").unlink()  # an empty file is not a database; start fresh
    old = os.umask(0o022)
    try:
        crm = build_crm(settings)
        crm.db.execute("SELECT 1")
    finally:
        os.umask(old)
    assert set(modes(settings.data_dir).values()) == {0o600}
    crm.database.close()


def test_security_status_flags_a_readable_wal(crm):
    crm.db.execute("SELECT 1")
    check = {c["name"]: c for c in security_report(crm)["checks"]}["database_file"]
    assert check["passed"], check
    wal = crm.settings.database_path.with_name("crm.db-wal")
    with crm.write() as db:  # the WAL exists once something is written
        db.execute("CREATE TABLE IF NOT EXISTS t (x)")
    wal.chmod(0o640)
    check = {c["name"]: c for c in security_report(crm)["checks"]}["database_file"]
    assert not check["passed"] and "crm.db-wal" in check["detail"]

