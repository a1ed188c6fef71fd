"""crm digest preview|send."""
from datetime import date

import click
import orjson

from core.cli import command_group, pass_crm
from plugins.digest.preview import preview_digest
from plugins.digest.send import send_digest_for_day


def _day(value):
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("expected YYYY-MM-DD") from None


def register(cli):
    digest = command_group(cli, "digest", "The daily activity digest email.")

    @digest.command(name="preview")
    @click.option("--date", "day", required=True, callback=lambda c, p, v: _day(v))
    @click.option("--format", "fmt", type=click.Choice(["text", "html", "json"]), default="text")
    @pass_crm
    def preview_command(crm, day, fmt):
        """Show a day's digest without sending it."""
        result = preview_digest(crm, day)
        if fmt == "json":
            click.echo(orjson.dumps(result, default=str, option=orjson.OPT_INDENT_2).decode())
        else:
            click.echo(result["subject"] if fmt == "text" else "", nl=fmt == "text")
            click.echo(result[fmt])

    @digest.command(name="send")
    @click.option("--date", "day", required=True, callback=lambda c, p, v: _day(v))
    @click.option("--force", is_flag=True, help="Send again even if that day was sent")
    @pass_crm
    def send_command(crm, day, force):
        """Send a day's digest to every active admin (once, unless --force)."""
        run = send_digest_for_day(crm, day, force=force)
        click.echo(f"{day}: {run['status']} ({run['people']} people, {run['investors']} "
                   f"investors, {run['model_calls']} model calls)")
        if run["status"] == "failed":
            raise SystemExit(1)
