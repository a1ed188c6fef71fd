"""POST /api/admin/smtp/test-email (also at its old path /api/admin/digest/test-email):
proves the mail path, to active admins only."""
from core.errors import unprocessable
from core.openapi import operation
from plugins.smtp.mail_check import admin_recipients, send_test_email
from plugins.smtp.models import TestEmailBody, TestEmailSent


class TestEmailResource:
    def __init__(self, crm):
        self.crm = crm

    @operation("Send a short test email to active admins (default: you)", body=TestEmailBody,
               response=TestEmailSent, admin=True, errors=(502, 503))
    def on_post(self, req, resp):
        wanted = req.context.body.to or [req.context.user["email"]]
        if isinstance(wanted, str):
            wanted = [wanted]
        if not wanted or len(wanted) > 50:
            raise unprocessable("Name between 1 and 50 recipients", field="to")
        to = admin_recipients(self.crm, wanted)
        result = send_test_email(self.crm, to, req.context.user["name"])
        resp.media = {"sent": True, "to": to, "message_id": result.message_id}
