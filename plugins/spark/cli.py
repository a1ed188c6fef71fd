"""crm spark check."""
import click
import orjson

from core.cli import command_group, pass_crm
from plugins.spark.check import run_check


def register(cli):
    spark = command_group(cli, "spark", "The fund's own model server.")

    @spark.command(name="check")
    @pass_crm
    def check_command(crm):
        """Reachable, model listed, context window, a timed tiny completion."""
        result = run_check(crm.plugin_settings("spark"))
        click.echo(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode())
        if not result["ok"]:
            raise SystemExit(1)
