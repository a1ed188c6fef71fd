"""Hook implementations of the smtp plugin: the one place that talks SMTP."""
from core import hookimpl
from plugins.smtp import sender
from plugins.smtp.resources import TestEmailResource
from plugins.smtp.settings import SmtpSettings


@hookimpl(trylast=True)
def deliver_email(crm, message):
    return sender.send(SmtpSettings.load(crm.settings.secrets_dir), message)


@hookimpl
def register_routes(crm):
    return [("/api/admin/digest/test-email", TestEmailResource(crm))]


@hookimpl
def register_commands(cli):
    from plugins.smtp.cli import register
    register(cli)
