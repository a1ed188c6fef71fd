"""Route converters: `{record_id:id}` matches ASCII digits only and hands the method an int."""
import re

from falcon.routing import BaseConverter

ID_PATTERN = "^[0-9]{1,18}$"  # 18 digits stay inside SQLite's 64-bit integers
_ID = re.compile(r"[0-9]{1,18}", re.ASCII)


class IdConverter(BaseConverter):
    """A row id: `²` or `٣` (non-ASCII digits) or 19+ digits do not match, so the route 404s."""

    def convert(self, value):
        return int(value) if _ID.fullmatch(value) else None


def install(app):
    app.router_options.converters["id"] = IdConverter
