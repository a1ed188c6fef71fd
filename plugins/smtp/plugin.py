"""Hook implementations of the smtp plugin: the one place that talks SMTP."""
from core import hookimpl
from plugins.smtp import sender
from plugins.smtp.cli import register
from plugins.smtp.resources import TestEmailResource
from plugins.smtp.settings import SmtpSettings


@hookimpl
def register_settings():
    return SmtpSettings


@hookimpl(trylast=True)
def deliver_email(crm, message):
    return sender.send(crm.plugin_settings("smtp"), message)


@hookimpl
def register_routes(crm):
    test_email = TestEmailResource(crm)
    return [("/api/admin/smtp/test-email", test_email),
            ("/api/admin/digest/test-email", test_email)]  # its path before it was smtp's


@hookimpl
def register_commands(cli):
    register(cli)
