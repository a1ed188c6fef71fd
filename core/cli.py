"""The `crm` command group; every command, the core's included, comes from register_commands."""
import functools
import os
import sys

import click
from pydantic import ValidationError

from core import __version__
from core.context import ConfigError, build_crm
from core.plugins import make_plugin_manager
from core.settings import load_settings


class CliState:
    """What commands share: settings, plugins, and the CRM opened on first use."""

    def __init__(self, settings, pm, extra_plugins=None):
        self.settings = settings
        self.pm = pm
        self.extra_plugins = extra_plugins
        self._crm = None

    def crm(self):
        if self._crm is None:
            try:
                self._crm = build_crm(self.settings, self.pm)
            except ConfigError as exc:
                raise click.ClickException(str(exc)) from None
        return self._crm


def pass_crm(command):
    """Decorator: call the command with the opened CRM as its first argument."""

    @click.pass_context
    def wrapper(ctx, *args, **kwargs):
        return ctx.invoke(command, ctx.find_object(CliState).crm(), *args, **kwargs)

    return functools.update_wrapper(wrapper, command)


def read_secret(prompt: str) -> str:
    """One line from stdin when it is not a terminal; a hidden prompt asked twice when it is."""
    if sys.stdin.isatty():
        return click.prompt(prompt, hide_input=True, confirmation_prompt=True)
    line = sys.stdin.readline()
    value = line.rstrip("\r\n")
    if not value:
        raise click.ClickException(f"{prompt}: expected one line on stdin")
    return value


def build_cli(settings=None, pm=None, extra_plugins=None) -> click.Group:
    settings = settings or load_settings()
    pm = pm or make_plugin_manager(settings.plugins, extra_plugins)
    state = CliState(settings, pm, extra_plugins)

    @click.group()
    @click.version_option(__version__, prog_name="crm")
    @click.pass_context
    def cli(ctx):
        """Venture CRM: a self-hosted CRM for a venture fund's fundraising team."""
        ctx.obj = state

    pm.hook.register_commands(cli=cli)
    return cli


def main():
    os.umask(0o077)  # what the CRM writes (database, backups, exports) is its owner's alone
    try:
        cli = build_cli()
    except (ValidationError, ValueError) as exc:
        click.echo(f"Error: invalid configuration: {exc}", err=True)
        sys.exit(2)
    cli()


def command_group(cli: click.Group, name: str, help: str) -> click.Group:
    """The group `name` under `cli`, created on first use, so plugins can share one."""
    existing = cli.commands.get(name)
    if isinstance(existing, click.Group):
        return existing
    group = click.Group(name=name, help=help)
    cli.add_command(group)
    return group
