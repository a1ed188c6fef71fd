"""The digest's own hook, for other plugins' sections."""
from core.hookspecs import hookspec


@hookspec
def digest_sections(crm, start, end, day):
    """Return a list of DigestSection(title, items) for the local day [start, end) (UTC)"""
