"""Field types, the built-in fields of each table, and validation of one field's value."""
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlparse

import orjson

FIELD_TYPES = (
    "text", "long_text", "number", "currency", "percent", "date", "checkbox", "single_select",
    "multi_select", "email", "url", "phone", "link", "formula", "user",
)
STAGES = ["Prospect", "Intro", "Meeting", "Diligence", "Soft Circle", "Committed", "Passed",
          "Declined"]
COMMITMENT_STATUSES = ["Prospective", "Soft Circle", "Committed", "Funded", "Declined"]
COMMITTED_STATUSES = ("Committed", "Funded")
PIPELINE_STATUSES = ("Prospective", "Soft Circle")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^[0-9+()\-. /x]{3,40}$")
MAX_TEXT = {"text": 10_000, "long_text": 1_000_000}
PERCENT_TEXT = re.compile(r"\s*([+-]?(?:\d{1,20}(?:\.\d{0,20})?|\.\d{1,20}))\s*%\s*", re.ASCII)


@dataclass(frozen=True)
class BuiltinField:
    key: str
    name: str
    type: str
    column: str
    options: dict = field(default_factory=dict)

    def options_json(self) -> str:
        return orjson.dumps(self.options).decode()


def _name():
    return BuiltinField("name", "Name", "text", "name")


BUILTIN_FIELDS = {
    "investors": [
        _name(),
        BuiltinField("stage", "Stage", "single_select", "stage", {"choices": STAGES}),
        BuiltinField("owner", "Owner", "user", "owner_id"),
        BuiltinField("check_size", "Check Size", "currency", "check_size", {"symbol": "$"}),
        BuiltinField("last_contact", "Last Contact", "date", "last_contact"),
    ],
    "contacts": [
        _name(),
        BuiltinField("investor", "Investor", "link", "investor_id",
                     {"table": "investors", "multiple": False}),
        BuiltinField("email", "Email", "email", "email"),
        BuiltinField("title", "Title", "text", "title"),
    ],
    "funds": [
        _name(),
        BuiltinField("target_size", "Target Size", "currency", "target_size", {"symbol": "$"}),
        BuiltinField("vintage", "Vintage", "number", "vintage",
                     {"precision": 0, "separator": False}),
        BuiltinField("first_close", "First Close", "date", "first_close"),
        BuiltinField("final_close", "Final Close", "date", "final_close"),
    ],
    "commitments": [
        _name(),
        BuiltinField("investor", "Investor", "link", "investor_id",
                     {"table": "investors", "multiple": False}),
        BuiltinField("fund", "Fund", "link", "fund_id", {"table": "funds", "multiple": False}),
        BuiltinField("amount", "Amount", "currency", "amount", {"symbol": "$"}),
        BuiltinField("status", "Status", "single_select", "status",
                     {"choices": COMMITMENT_STATUSES}),
    ],
}


class FieldValueError(ValueError):
    """A value does not fit its field; the message is shown to the user."""


def _number(value, kind):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise FieldValueError(f"expected a {kind}, got {type(value).__name__}")
    if isinstance(value, float) and not math.isfinite(value):
        raise FieldValueError(f"expected a finite {kind}")
    if abs(value) > 1e15:
        raise FieldValueError(f"{kind} is too large")
    return value


def percent_value(value):
    """A percent field's value as stored: a fraction, as Airtable's API has it (0.125 is
    12.5%). A number is taken as it is; text with a percent sign ('40%', '-12.5 %') is
    read as a percentage (0.4, -0.125). Other text is refused."""
    if not isinstance(value, str):
        return value
    match = PERCENT_TEXT.fullmatch(value)
    if match is None:
        raise FieldValueError(f"expected a fraction (0.4 for 40%) or text like '40%', "
                              f"got '{value[:40]}'")
    fraction = float(match[1] + "e-2")  # one rounding: '12.3' -> 0.123
    return int(fraction) if fraction.is_integer() else fraction


def _text(value, limit):
    if not isinstance(value, str):
        raise FieldValueError(f"expected text, got {type(value).__name__}")
    if len(value) > limit:
        raise FieldValueError(f"text longer than {limit} characters")
    return value


def _date(value, include_time):
    if not isinstance(value, str):
        raise FieldValueError("expected a date as YYYY-MM-DD")
    try:
        if include_time:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).isoformat()
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise FieldValueError(f"'{value[:40]}' is not a date (YYYY-MM-DD)") from None


def _choice(value, choices):
    if not isinstance(value, str):
        raise FieldValueError("expected one of the field's choices")
    if value not in choices:
        raise FieldValueError(f"'{value[:60]}' is not a choice of this field")
    return value


def _ids(value, multiple):
    items = value if multiple else [value]
    if multiple and not isinstance(value, list):
        raise FieldValueError("expected a list of record ids")
    for item in items:
        if isinstance(item, bool) or not isinstance(item, int) or item < 1:
            raise FieldValueError("expected record ids (positive integers)")
    if multiple and len(set(items)) != len(items):
        raise FieldValueError("a record is linked twice")
    return list(items) if multiple else value


def validate_value(ftype: str, options: dict, value):
    """Return the value to store, or raise FieldValueError. None clears any field."""
    if value is None:
        return None
    if ftype in ("text", "long_text"):
        return _text(value, MAX_TEXT[ftype])
    if ftype == "percent":
        return _number(percent_value(value), "fraction")
    if ftype in ("number", "currency"):
        return _number(value, "number")
    if ftype == "checkbox":
        if not isinstance(value, bool):
            raise FieldValueError("expected true or false")
        return value
    if ftype == "date":
        return _date(value, options.get("include_time", False))
    if ftype == "single_select":
        return _choice(value, options.get("choices", []))
    if ftype == "multi_select":
        if not isinstance(value, list):
            raise FieldValueError("expected a list of choices")
        if len(set(map(str, value))) != len(value):
            raise FieldValueError("a choice is listed twice")
        return [_choice(v, options.get("choices", [])) for v in value]
    if ftype == "email":
        text = _text(value, 320).strip()
        if not EMAIL.match(text):
            raise FieldValueError(f"'{text[:60]}' is not an email address")
        return text
    if ftype == "url":
        text = _text(value, 2048).strip()
        parsed = urlparse(text)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise FieldValueError("expected an http(s) URL")
        return text
    if ftype == "phone":
        text = _text(value, 40).strip()
        if not PHONE.match(text) or not any(c.isdigit() for c in text):
            raise FieldValueError(f"'{text}' is not a phone number")
        return text
    if ftype == "link":
        return _ids(value, options.get("multiple", True))
    if ftype == "user":
        return _ids(value, False)
    if ftype == "formula":
        raise FieldValueError("a formula field is computed and cannot be set")
    raise FieldValueError(f"unknown field type {ftype}")


def dump(value) -> str:
    return orjson.dumps(value).decode()
