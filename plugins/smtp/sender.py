"""Send one email with smtplib: STARTTLS, implicit TLS or plain, certificates verified."""
import base64
import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from core.plugin_types import DeliveryResult, OutgoingEmail
from plugins.smtp.settings import SmtpSettings

log = logging.getLogger(__name__)


def build_message(settings: SmtpSettings, message: OutgoingEmail) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.from_address
    msg["To"] = ", ".join(message.to)
    msg["Subject"] = message.subject
    msg["Date"] = formatdate(localtime=False)
    domain = settings.from_address.rsplit("@", 1)[-1] if settings.from_address else None
    msg["Message-ID"] = make_msgid(domain=domain)
    for name, value in message.headers.items():
        msg[name] = value
    msg.set_content(message.text)
    if message.html:
        msg.add_alternative(message.html, subtype="html")
        for cid, png in message.inline:  # images the HTML part cites as cid:
            msg.get_payload()[-1].add_related(png, "image", "png", cid=f"<{cid}>")
    return msg


def tls_context(settings: SmtpSettings) -> ssl.SSLContext:
    """Verification on; a CA file adds a private CA to the system's."""
    context = ssl.create_default_context()
    if settings.ca_file:
        context.load_verify_locations(cafile=str(settings.ca_file))
    return context


def redact(text: str, settings: SmtpSettings) -> str:
    """Remove the password and any AUTH exchange that could carry it."""
    password = settings.password.get_secret_value() if settings.password else ""
    if password:
        user = settings.username or ""
        secrets = {
            password,
            base64.b64encode(password.encode()).decode(),
            base64.b64encode(f"\0{user}\0{password}".encode()).decode(),
            base64.b64encode(f"{user}\0{user}\0{password}".encode()).decode(),
        }
        for secret in sorted(secrets, key=len, reverse=True):
            text = text.replace(secret, "[redacted]")
    return text


def _connect(settings: SmtpSettings):
    host, port, timeout = settings.host, settings.effective_port, settings.timeout
    if settings.security == "tls":
        return smtplib.SMTP_SSL(host, port, timeout=timeout, context=tls_context(settings))
    smtp = smtplib.SMTP(host, port, timeout=timeout)
    if settings.security == "starttls":
        smtp.starttls(context=tls_context(settings))
    return smtp


def send(settings: SmtpSettings, message: OutgoingEmail) -> DeliveryResult:
    """Deliver `message`; failures come back as a result whose error is for the log only."""
    if not settings.configured:
        return DeliveryResult(ok=False, transport="smtp", error="not_configured")
    try:
        msg = build_message(settings, message)
    except ValueError as exc:  # e.g. a line break in an address: never sent, never injected
        log.warning("SMTP message refused before sending: %s", exc)
        return DeliveryResult(ok=False, transport="smtp", error=f"bad_message: {exc}")
    try:
        with _connect(settings) as smtp:
            if settings.username:
                password = settings.password.get_secret_value() if settings.password else ""
                smtp.login(settings.username, password)
            smtp.send_message(msg)
    except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
        reason = redact(f"{type(exc).__name__}: {exc}", settings)
        log.warning("SMTP send to %s via %s:%s failed: %s", msg["To"], settings.host,
                    settings.effective_port, reason)
        return DeliveryResult(ok=False, transport="smtp", error=reason)
    log.info("SMTP sent %s to %d recipient(s)", msg["Message-ID"], len(message.to))
    return DeliveryResult(ok=True, transport="smtp", message_id=msg["Message-ID"])
