"""crm smtp configure|status and crm digest test-email."""
import click

from core.cli import CliState, command_group, pass_crm, read_secret
from core.context import write_secret_file
from core.errors import APIError
from plugins.smtp.mail_check import admin_recipients, send_test_email


def register(cli):
    smtp = command_group(cli, "smtp", "The CRM's outbound mail account.")

    @smtp.command()
    @click.option("--host", required=True)
    @click.option("--port", type=click.IntRange(1, 65535))
    @click.option("--from", "from_address", required=True, help="Sender address")
    @click.option("--username", help="Login name; the password is read from stdin")
    @click.option("--security", type=click.Choice(["starttls", "tls", "none"]),
                  default="starttls", show_default=True)
    @click.pass_context
    def configure(ctx, host, port, from_address, username, security):
        """Write the SMTP account to CRM_SECRETS_DIR/smtp/ (files 0600, folder 0700)."""
        # the CRM is not opened: it would refuse to start on the bad file this may replace
        folder = ctx.find_object(CliState).settings.secrets_dir / "smtp"
        values = {"host": host, "from": from_address, "security": security,
                  "port": str(port) if port else None, "username": username}
        if username:
            values["password"] = read_secret("SMTP password")
        for name, value in values.items():
            path = folder / name
            if value is None:
                path.unlink(missing_ok=True)
            else:
                write_secret_file(path, value)
        if not username:
            (folder / "password").unlink(missing_ok=True)
        click.echo(f"SMTP account saved in {folder}")

    @smtp.command()
    @pass_crm
    def status(crm):
        """Show the SMTP settings in effect, the password masked."""
        s = crm.plugin_settings("smtp")
        password = "(set)" if s.password and s.password.get_secret_value() else "(none)"
        rows = [("host", s.host), ("port", s.effective_port), ("from", s.from_address),
                ("username", s.username), ("password", password), ("security", s.security),
                ("ca file", s.ca_file), ("configured", "yes" if s.configured else "no")]
        for name, value in rows:
            click.echo(f"{name:<11} {value if value is not None else '-'}")

    digest = command_group(cli, "digest", "The daily activity digest email.")

    @digest.command(name="test-email")
    @click.option("--to", "to", required=True, multiple=True, help="An active admin's email")
    @pass_crm
    def test_email(crm, to):
        """Send a short test email to active admins."""
        try:
            recipients = admin_recipients(crm, list(to))
            result = send_test_email(crm, recipients, "the crm command line")
        except APIError as exc:
            raise click.ClickException(exc.message) from None
        click.echo(f"Sent {result.message_id} to {', '.join(recipients)}")
