"""Who a message is between: addresses folded, the fund's own mail and blocked domains skipped,
and the investor contacts it involves."""
from email.utils import getaddresses


def fold(address: str) -> str:
    """Lower case, with a +tag dropped from the local part (jo+deals@x.com is jo@x.com)."""
    address = address.strip().lower()
    local, _, domain = address.partition("@")
    return f"{local.split('+', 1)[0]}@{domain}" if domain else address


def domain_of(address: str) -> str:
    return address.rpartition("@")[2]


def addresses(*header_values) -> list[str]:
    found = []
    for _name, address in getaddresses([v for v in header_values if v]):
        if "@" in address:
            folded = fold(address)
            if folded not in found:
                found.append(folded)
    return found


class ContactIndex:
    """Live contacts of live investors by folded email."""

    def __init__(self, contacts):
        """`contacts`: FundraisingAPI.contacts_with_email(), oldest first (the oldest wins)."""
        self.by_email = {}
        for contact in contacts:
            self.by_email.setdefault(fold(contact.email), (contact.id, contact.investor_id))

    def match(self, participants: list[str]) -> list[tuple[str, int, int | None]]:
        return [(a, *self.by_email[a]) for a in participants if a in self.by_email]


def fund_domains(db, configured) -> set[str]:
    """CRM_FUND_DOMAINS, else the domains of the CRM users' emails."""
    if configured:
        return set(configured)
    return {domain_of(r[0]).lower() for r in db.execute("SELECT email FROM users")}


def skip_reason(participants, internal: set, blocked: set) -> str | None:
    domains = {domain_of(a) for a in participants}
    if domains & blocked:
        return "blocked"
    if domains and domains <= internal:
        return "internal"
    return None
