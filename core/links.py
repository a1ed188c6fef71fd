"""Links the CRM hands out (setup, invite, reset): on CRM_PUBLIC_URL when it is set, else on
the address the admin's own request came to (better than the listening address, which may be
0.0.0.0), else on the listening address (the CLI)."""


def app_link(crm, path: str, req=None) -> str:
    """`path` (e.g. "/invite#token=...") on the base the team's browsers should open."""
    settings = crm.settings
    if settings.public_url:
        base = settings.public_url.rstrip("/")
    elif req is not None:
        base = req.prefix
    else:
        base = settings.base_url
    return base + path


def public_url_status(crm, req) -> dict:
    """What the admin's banner needs: the configured URL and the base links use now."""
    return {"public_url": crm.settings.public_url, "links_base": app_link(crm, "", req),
            "secure_cookie": crm.settings.base_url.startswith("https://")}
