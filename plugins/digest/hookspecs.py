"""The digest's own hook, for other plugins' sections."""
from core.hookspecs import hookspec


@hookspec
def digest_sections(crm, start, end, day):
    """Return a list of {"title", "items"} for the local day [start, end) (UTC); a section may
    add "chart": {"png_base64", "alt", "width", "height"}: an image sent inline with the HTML
    part (cid:, multipart/related), its `alt` text written in the plain part"""
