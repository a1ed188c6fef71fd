"""The core's own hook implementations: accounts, admin, health, activity, CLI."""
from importlib.resources import files

from core import activity_text, audit, commands
from core.accounts import Accounts
from core.admin_resources import (InvitesResource, PublicUrlResource, SecurityResource,
                                  UserResource, UsersResource)
from core import account_resources as a
from core.auth_resources import (AcceptInviteResource, LoginResource, LogoutResource,
                                 RegisterResource, SetupPage, SetupResource)
from core.day_resources import MyDayResource
from core.hookspecs import hookimpl
from core.ops_resources import ActivityResource, HealthResource, ReadyResource
from core.plugin_types import Migration
from core.security import core_checks


def _accounts_tables(db):
    db.execute("""CREATE TABLE users (
        id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE COLLATE NOCASE, name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('admin', 'member')), active INTEGER NOT NULL DEFAULT 1,
        password_hash TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
        last_login_at TEXT)""")
    db.execute("""CREATE TABLE sessions (
        id INTEGER PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE,
        user_id INTEGER NOT NULL REFERENCES users(id), created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL)""")
    db.execute("CREATE INDEX sessions_user ON sessions(user_id)")
    db.execute("""CREATE TABLE invites (
        id INTEGER PRIMARY KEY, email TEXT COLLATE NOCASE, role TEXT NOT NULL,
        purpose TEXT NOT NULL DEFAULT 'invite', token_hash TEXT NOT NULL UNIQUE,
        created_by INTEGER REFERENCES users(id), created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL, accepted_at TEXT, revoked_at TEXT,
        user_id INTEGER REFERENCES users(id))""")


def _audit_table(db):
    db.execute("""CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY, at TEXT NOT NULL, actor_id INTEGER, plugin TEXT NOT NULL,
        table_name TEXT NOT NULL, row_id TEXT NOT NULL, action TEXT NOT NULL,
        changes TEXT NOT NULL, summary TEXT)""")
    db.execute("CREATE INDEX audit_log_row ON audit_log(plugin, table_name, row_id)")
    db.execute("CREATE INDEX audit_log_plugin ON audit_log(plugin, id)")


def _audit_by_time(db):
    db.execute("CREATE INDEX audit_log_plugin_at ON audit_log(plugin, at, id)")


def _account_security(db):
    for column in ("user_agent TEXT", "ip TEXT", "last_seen_at TEXT"):
        db.execute(f"ALTER TABLE sessions ADD COLUMN {column}")
    for column in ("totp_secret TEXT", "totp_pending TEXT", "totp_enabled_at TEXT",
                   "totp_last_step INTEGER"):
        db.execute(f"ALTER TABLE users ADD COLUMN {column}")
    db.execute("""CREATE TABLE recovery_codes (
        id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),
        code_hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, used_at TEXT)""")
    db.execute("CREATE INDEX recovery_codes_user ON recovery_codes(user_id)")
    db.execute("""CREATE TABLE login_challenges (
        id INTEGER PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE,
        user_id INTEGER NOT NULL REFERENCES users(id), created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL, failures INTEGER NOT NULL DEFAULT 0, used_at TEXT)""")
    db.execute("CREATE INDEX login_challenges_user ON login_challenges(user_id, created_at)")


@hookimpl
def register_migrations():
    return [
        Migration(1, "users, sessions and invites", _accounts_tables),
        Migration(2, "audit log", _audit_table),
        Migration(3, "audit log by time, for the activity feed's pages", _audit_by_time),
        Migration(4, "sessions' devices, two-factor, recovery codes and login challenges",
                  _account_security),
    ]


@hookimpl
def register_routes(crm):
    accounts = Accounts(crm)
    setup_html = files("core").joinpath("static/setup.html").read_bytes()
    return [
        ("/api/health", HealthResource()),
        ("/api/ready", ReadyResource(crm)),
        ("/api/activity", ActivityResource(crm)),
        ("/api/auth/login", LoginResource(crm, accounts)),
        ("/api/auth/logout", LogoutResource(crm, accounts)),
        ("/api/auth/login/2fa", a.LoginCodeResource(crm, accounts)),
        ("/api/auth/me", a.MeResource(accounts)),
        ("/api/auth/password", a.PasswordResource(accounts)),
        ("/api/auth/reset", a.ResetResource(accounts)),
        ("/api/auth/2fa", a.TwoFactorResource(accounts)),
        ("/api/auth/2fa/enroll", a.EnrollResource(accounts)),
        ("/api/auth/2fa/confirm", a.ConfirmResource(accounts)),
        ("/api/auth/2fa/recovery-codes", a.RecoveryCodesResource(accounts)),
        ("/api/auth/sessions", a.SessionsResource(accounts)),
        ("/api/auth/sessions/revoke-others", a.OtherSessionsResource(crm)),
        ("/api/auth/sessions/{session_id:id}", a.SessionResource(crm, accounts)),
        ("/api/users", a.TeammatesResource(accounts)),
        ("/api/me/day", MyDayResource(crm)),
        ("/api/auth/register", RegisterResource()),
        ("/api/auth/accept-invite", AcceptInviteResource(crm, accounts)),
        ("/api/auth/setup", SetupResource(crm, accounts)),
        ("/api/admin/invites", InvitesResource(crm, accounts)),
        ("/api/admin/users", UsersResource(accounts)),
        ("/api/admin/users/{user_id:id}", UserResource(accounts)),
        ("/api/admin/users/{user_id:id}/reset-link", a.ResetLinkResource(crm, accounts)),
        ("/api/admin/users/{user_id:id}/2fa", a.AdminTwoFactorResource(crm, accounts)),
        ("/api/admin/users/{user_id:id}/sessions", a.UserSessionsResource(crm, accounts)),
        ("/api/admin/security", SecurityResource(crm)),
        ("/api/admin/public-url", PublicUrlResource(crm)),
        ("/setup", SetupPage(setup_html)),
        ("/invite", SetupPage(setup_html)),
        ("/reset", SetupPage(setup_html)),
    ]


@hookimpl
def register_activity_sources(crm):
    return [audit.activity_source(crm, "core", name="accounts", admin_only=True,
                                  describe=activity_text.describe_accounts)]


@hookimpl
def register_security_checks(crm):
    return core_checks(crm)


@hookimpl
def register_commands(cli):
    commands.register(cli)
