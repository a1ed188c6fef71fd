"""crm import airtable FILE.csv --table investors [--key] [--dry-run] [--archive-missing]
[--owner "NAME=USER|keep|invite:EMAIL"] [--type COLUMN=TYPE]."""
import sys
from pathlib import Path

import click

from core.cli import command_group, pass_crm
from core.errors import APIError
from core.links import app_link
from core.memory import gc_paused
from core.accounts import Accounts
from plugins.fundraising.imports.importer import apply_import, plan_import

TABLES = ["investors", "contacts", "funds", "commitments"]


def _print_summary(summary, title):
    click.echo(f"{title}: {summary['rows']} rows: {summary['creates']} created, "
               f"{summary['updates']} updated, {summary['unchanged']} unchanged, "
               f"{summary['archived']} archived, {summary['skipped_archived']} skipped (archived "
               f"in the CRM), {summary['error_rows']} with errors")
    for new in summary["new_fields"]:
        click.echo(f"  new field '{new['name']}' ({new['type']}) from column '{new['column']}'")
    for person in summary["people"]:
        if person["action"] == "user":
            what = person["user_name"] + (" (as in the last import)" if person["remembered"]
                                          else "")
        elif person["action"] == "invite":
            what = f"invite {person['email']}; kept as text in '{person['kept_in']}'"
        else:
            what = f"kept as text in '{person['kept_in']}'"
        click.echo(f"  unknown {person['column']} '{person['name']}' ({person['rows']} rows): "
                   f"{what}")
    for invite in summary.get("invites", []):
        click.echo(f"  invited {invite['email']}: send them {invite['invite_url']}")
    if summary["overwrites"]:
        click.echo(f"  {summary['overwrites']} change(s) in {summary['overwrite_rows']} row(s) "
                   "overwrite edits made in the CRM since the last import")
    for error in summary["errors"][:50]:
        click.echo(f"  row {error['row']}, {error['column']}: {error['message']}")
    if len(summary["errors"]) > 50:
        click.echo(f"  ... and {len(summary['errors']) - 50} more errors")


def register_import_commands(cli):
    group = command_group(cli, "import", "Import data into the CRM.")

    @group.command()
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--table", type=click.Choice(TABLES), default="investors", show_default=True)
    @click.option("--key", help="Column to match rows by (default: record id, else the primary)")
    @click.option("--map", "maps", multiple=True, metavar="COLUMN=FIELD",
                  help="Map a column to a field; COLUMN= ignores the column")
    @click.option("--owner", "owners", multiple=True, metavar="NAME=USER|keep|invite:EMAIL",
                  help="A person in a user column who is no user: an existing user (email or "
                       "name), keep the name as text (the default), or invite an email")
    @click.option("--type", "types", multiple=True, metavar="COLUMN=TYPE",
                  help="The type of a new field's column (default: inferred)")
    @click.option("--dry-run", is_flag=True, help="Show what would change; write nothing")
    @click.option("--archive-missing", is_flag=True, help="Archive records the file lacks")
    @click.option("--strict", is_flag=True, help="Import nothing if any row has an error")
    @pass_crm
    def airtable(crm, file, table, key, maps, owners, types, dry_run, archive_missing, strict):
        """Import an Airtable CSV export; importing the same file again changes nothing. No
        row is dropped for a person who is no user: see --owner."""
        mapping = {}
        for item in maps:
            column, _, field = item.partition("=")
            mapping[column] = field or None
        people = _people(crm.db, owners)
        column_types = {}
        for item in types:
            column, _, kind = item.partition("=")
            column_types[column] = kind
        data = file.read_bytes()
        plan = None
        accounts = Accounts(crm)

        def invite(email):
            token, expires_at = accounts.create_invite(email, "member", None)
            return {"invite_url": app_link(crm, f"/invite#token={token}"),
                    "expires_at": expires_at}
        try:
            if dry_run:
                plan = plan_import(crm.db, table, data, key, mapping, people, column_types)
                _print_summary(plan.summary(archive_missing), "Dry run")
                return
            with gc_paused(), crm.write() as db:
                plan = plan_import(db, table, data, key, mapping, people, column_types)
                total = len(plan.creates) + len(plan.updates)
                with click.progressbar(length=total, label="Importing",
                                       file=sys.stderr) as bar:
                    summary = apply_import(db, plan, None, strict=strict,
                                           archive_missing=archive_missing, progress=bar.update,
                                           invite=invite)
                plan = None  # freed before the collector is back and the listeners run
        except APIError as exc:
            if plan is not None and exc.extra.get("errors"):
                _print_summary({**plan.summary(archive_missing)}, "Not imported")
            raise click.ClickException(exc.message) from None
        _print_summary(summary, "Imported")


def _people(db, owners) -> dict:
    """--owner NAME=USER|keep|invite:EMAIL as imports.people choices; USER is an email or a
    user's name."""
    people = {}
    for item in owners:
        name, sep, choice = item.partition("=")
        if not sep or not name.strip() or not choice.strip():
            raise click.BadParameter(f"'{item}': use NAME=USER, NAME=keep or "
                                     "NAME=invite:EMAIL", param_hint="--owner")
        choice = choice.strip()
        if choice.casefold() == "keep":
            people[name.strip()] = {"action": "keep"}
        elif choice.casefold().startswith("invite:"):
            people[name.strip()] = {"action": "invite", "email": choice[7:].strip()}
        else:
            row = db.execute("SELECT id FROM users WHERE active = 1 AND (email = ? COLLATE "
                             "NOCASE OR name = ? COLLATE NOCASE) ORDER BY id",
                             [choice, choice]).fetchone()
            if row is None:
                raise click.BadParameter(f"no user '{choice}' for '{name}'",
                                         param_hint="--owner")
            people[name.strip()] = {"action": "user", "user_id": row[0]}
    return people
