"""crm gmail enable|disable|sync|status."""
import click

from core.accounts import Accounts
from core.cli import command_group, pass_crm
from core.errors import APIError
from plugins.gmail.accounts import list_accounts, set_account
from plugins.gmail.sync import sync_all


def _user(crm, email):
    user = Accounts(crm).find_by_email(email)
    if not user or not user["active"]:
        raise click.ClickException(f"No active user {email}")
    return user


def register(cli):
    gmail = command_group(cli, "gmail", "Gmail capture for investor email.")

    @gmail.command()
    @click.option("--user", "email", required=True, help="The CRM user's email")
    @click.option("--address", help="Their Workspace address (default: the CRM email)")
    @pass_crm
    def enable(crm, email, address):
        """Sync this user's Gmail."""
        user = _user(crm, email)
        try:
            with crm.write() as db:
                set_account(db, user["id"], True, address, None, crm.plugin_settings("gmail"))
        except APIError as exc:
            raise click.ClickException(exc.message) from None
        click.echo(f"Gmail sync on for {email} ({address or user['email']})")

    @gmail.command()
    @click.option("--user", "email", required=True)
    @pass_crm
    def disable(crm, email):
        """Stop syncing this user's Gmail."""
        user = _user(crm, email)
        with crm.write() as db:
            set_account(db, user["id"], False, None, None)
        click.echo(f"Gmail sync off for {email}")

    @gmail.command()
    @click.option("--user", "email", help="Only this user")
    @pass_crm
    def sync(crm, email):
        """Sync now."""
        user_id = _user(crm, email)["id"] if email else None
        results = sync_all(crm, user_id=user_id)
        if not results:
            click.echo("No one has Gmail sync turned on")
        for r in results:
            state = f"error: {r['error']}" if r["error"] else "ok"
            click.echo(f"user {r['user_id']}: {r['seen']} messages read, {r['proposed']} new "
                       f"proposals, {state}")
        if any(r["error"] for r in results):
            raise SystemExit(1)

    @gmail.command()
    @pass_crm
    def status(crm):
        """Per user: on or off, address, last sync, history id and error."""
        for a in list_accounts(crm.db):
            click.echo(f"{a['email']:<30} {'on ' if a['enabled'] else 'off'} {a['address']:<30} "
                       f"last sync {a['last_sync_at'] or '-':<28} history {a['history_id'] or '-'}"
                       f"  {('error: ' + a['last_error']) if a['last_error'] else ''}")
