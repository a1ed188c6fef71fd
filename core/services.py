"""Calls to the single-answer hooks, with the core's rule for when nobody answers."""
from core.plugin_types import DeliveryResult, OutgoingEmail


class NoProvider(Exception):
    """No enabled plugin offers this service."""


def deliver_email(crm, message: OutgoingEmail) -> DeliveryResult:
    """Hand one email to the first plugin that delivers; NoProvider when none is enabled."""
    result = crm.pm.hook.deliver_email(crm=crm, message=message)
    if result is None:
        raise NoProvider("no enabled plugin delivers email (enable smtp in CRM_PLUGINS)")
    return result


def summarize_text(crm, text: str, instructions: str = "") -> str | None:
    """The first plugin's summary, or None when no plugin summarizes."""
    return crm.pm.hook.summarize_text(crm=crm, text=text, instructions=instructions)
