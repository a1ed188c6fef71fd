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


def summarizer_status(crm) -> tuple[bool, str]:
    """(ready, detail): whether summarize_text can reach a summarizer now, and why not.

    A plugin that implements summarize_text but not summarizer_status counts as ready."""
    answer = crm.pm.hook.summarizer_status(crm=crm)
    if answer is not None:
        return bool(answer[0]), str(answer[1])
    if crm.pm.hook.summarize_text.get_hookimpls():
        return True, "a plugin summarizes text"
    return False, "no enabled plugin summarizes text (enable spark in CRM_PLUGINS)"
