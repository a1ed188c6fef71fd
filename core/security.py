"""The go-live checklist behind GET /api/admin/security (SECURITY.md lists the same items)."""
import ipaddress
import stat

from core.db import utcnow
from core.plugin_types import SecurityCheck


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _owner_only(path, bits) -> bool:
    return not (path.stat().st_mode & bits)


def core_checks(crm) -> list[SecurityCheck]:
    s = crm.settings

    def production():
        return s.env == "production", f"CRM_ENV={s.env}"

    def secret_key():
        # The key in use: a configured one, or the one generated on the first start and kept
        # in the secret file that later starts (production included) read.
        key = crm.secret_key or ""
        where = "configured" if s.secret_key else \
            f"generated on the first start and kept in {s.secrets_dir / 'secret_key'}"
        return len(key) >= 32, f"{len(key)} characters, {where} (at least 32 needed)"

    def transport():
        if s.public_url and s.public_url.startswith("https://"):
            return True, "public URL is HTTPS"
        if _loopback(s.host):
            return True, f"listening on loopback {s.host} only (reach it over a private network)"
        return False, f"listening on {s.host} without an HTTPS public URL"

    def cors():
        if "*" in s.cors_origin:
            return False, "CRM_CORS_ORIGIN allows every origin"
        return True, ", ".join(s.cors_origin) or "same origin only"

    def secret_files():
        root = s.secrets_dir
        if not root.exists():
            return True, "no secret files"
        bad = [str(p) for p in [root, *root.rglob("*")]
               if not _owner_only(p, stat.S_IRWXG | stat.S_IRWXO)]
        return not bad, "owner-only" if not bad else "readable by others: " + ", ".join(bad)

    def database_file():
        path = s.database_path
        if not path.exists():
            return False, "database missing"
        files = [f for f in (path, *(path.with_name(path.name + x) for x in ("-wal", "-shm")))
                 if f.exists()]
        bad = [str(f) for f in files if not _owner_only(f, stat.S_IRWXG | stat.S_IRWXO)]
        if bad:
            return False, "readable by others: " + ", ".join(bad) + " (chmod 600)"
        return True, "owner-only (" + ", ".join(f.name for f in files) + ")"

    def admin_exists():
        admins = crm.db.execute(
            "SELECT count(*) FROM users WHERE role='admin' AND active=1").fetchone()[0]
        return admins > 0, f"{admins} active admin(s)"

    def setup_closed():
        open_links = crm.db.execute(
            "SELECT count(*) FROM invites WHERE purpose='setup' AND accepted_at IS NULL "
            "AND revoked_at IS NULL AND expires_at > ?", [utcnow()]).fetchone()[0]
        return open_links == 0, f"{open_links} unused setup link(s)"

    def rate_limits():
        ok = s.login_rate_limit <= 20
        return ok, f"{s.login_rate_limit} logins/min, {s.write_rate_limit} writes/min per IP"

    def password_hashing():
        ok = s.password_memory_kib >= 19456 and s.password_time_cost >= 2
        return ok, (f"argon2id, {s.password_memory_kib // 1024} MiB, {s.password_time_cost} "
                    "passes (at least 19 MiB and 2 passes)")

    def two_factor():
        policy = s.two_factor_policy
        if policy == "none":
            return False, "CRM_REQUIRE_2FA=none: nobody has to use two-factor"
        without = crm.db.execute(
            "SELECT count(*) FROM users WHERE active = 1 AND totp_enabled_at IS NULL"
            + (" AND role = 'admin'" if policy == "admins" else "")).fetchone()[0]
        who = "admins" if policy == "admins" else "everyone"
        detail = f"CRM_REQUIRE_2FA={policy}: required of {who}"
        if without:
            detail += f"; {without} still to set it up (asked at their next sign-in)"
        return True, detail

    return [
        SecurityCheck("two_factor", "Two-factor sign-in is required of admins at least",
                      two_factor),
        SecurityCheck("password_hashing", "Passwords use a strong argon2id cost", password_hashing),
        SecurityCheck("production_mode", "CRM_ENV is production", production),
        SecurityCheck("secret_key", "A strong CRM_SECRET_KEY is set", secret_key),
        SecurityCheck("transport", "Reached over HTTPS or a private network only", transport),
        SecurityCheck("cors", "CORS allows only named origins", cors),
        SecurityCheck("secret_files", "Secret files and folders are owner-only", secret_files),
        SecurityCheck("database_file", "The database files are owner-only", database_file),
        SecurityCheck("admin_exists", "At least one active admin", admin_exists),
        SecurityCheck("setup_closed", "The one-time setup link is used", setup_closed),
        SecurityCheck("rate_limits", "Login attempts are rate limited", rate_limits),
    ]


def security_report(crm) -> dict:
    checks = []
    for group in crm.pm.hook.register_security_checks(crm=crm):
        for check in group or []:
            try:
                passed, detail = check.run()
            except Exception as exc:  # a broken check fails, it does not break the page
                passed, detail = False, f"check failed: {type(exc).__name__}"
            checks.append({"name": check.name, "description": check.description,
                           "passed": bool(passed), "detail": detail})
    return {"passed": all(c["passed"] for c in checks), "checks": checks}
