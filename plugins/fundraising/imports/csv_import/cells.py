"""Parsing one cell's text into the value stored for its field (formats as in schema.py).

make_parser(field_type, options) returns one specialised function per column, so bulk imports
pay for the dispatch once; parse_cell is the one-off form. A parser returns None for an
empty cell (a checkbox: False) and raises CellError for text that does not fit. It checks the
format only: whether a select's value is one of its choices, or a link's name an existing
record, is left to the importer."""
import re
from collections.abc import Callable

from plugins.fundraising.imports.csv_import.dates import make_date_parser
from plugins.fundraising.imports.csv_import.errors import CellError, quoted
from plugins.fundraising.imports.csv_import.numbers import (make_currency_parser, parse_number,
                                                    parse_percent)
from plugins.fundraising.schema import EMAIL, MAX_TEXT

CHECKBOX_WORDS = {
    "": False, "unchecked": False, "false": False, "no": False, "n": False, "0": False,
    "off": False, "checked": True, "true": True, "yes": True, "y": True, "1": True,
    "on": True, "x": True, "✓": True, "✔": True,
}
URL = re.compile(r"https?://[^\s/?#]+\S*", re.IGNORECASE)
BARE_DOMAIN = re.compile(r"(?:www\.)?(?:[a-z0-9-]+\.)+[a-z]{2,}(?:[/?#]\S*)?", re.IGNORECASE)
_PHONE_MARKS = "+()-. /x"
_PHONE_CHARS = "0123456789" + _PHONE_MARKS  # as schema.PHONE
MEMORY = 50_000  # distinct cells whose values a column's parser remembers
_UNSEEN = object()
# a member of a multi-select or link cell: "quoted, with ""doubled"" quotes" or plain
_MEMBER = re.compile(r'\s*(?:"((?:[^"]|"")*)"([^,]*)|([^,]*))(?:,|$)')


def parse_cell(text: str, field_type: str, options: dict | None = None):
    """The stored value of one cell's text, None when empty; raise CellError when it does not
    fit. Use make_parser for a whole column."""
    return make_parser(field_type, options or {})(text)


def make_parser(field_type: str, options: dict | None = None) -> Callable[[str], object]:
    """A function from a cell's text to the stored value of a field of this type and
    options. Raise ValueError for a type that cannot be imported (formula, unknown)."""
    options = options or {}
    if field_type in ("text", "user"):
        return parse_text
    if field_type == "long_text":
        return parse_long_text
    if field_type == "number":
        return remembered(parse_number)
    if field_type == "currency":
        return remembered(make_currency_parser(options))
    if field_type == "percent":
        return remembered(parse_percent)
    if field_type == "date":
        parse = make_date_parser(options)
        # a date-only column repeats its days; date-times are mostly distinct, and the
        # parser already remembers their days and clock times
        return parse if options.get("include_time") else remembered(parse)
    if field_type == "checkbox":
        return parse_checkbox
    if field_type == "single_select":
        return _make_single_select(options)
    if field_type == "multi_select":
        return remembered_list(_make_multi_select(options))
    if field_type == "link":
        return remembered_list(_make_link(options))
    if field_type == "email":
        return parse_email
    if field_type == "url":
        return parse_url
    if field_type == "phone":
        return parse_phone
    if field_type == "formula":
        raise ValueError("a formula field is computed; its column cannot be imported")
    raise ValueError(f"unknown field type {field_type!r}")


def parse_column(parse: Callable[[str], object], texts: list[str]):
    """(values, errors) for one column's cells: each cell's value (None where it is bad),
    and the message of each bad cell by its index. One list comprehension while every cell
    fits, which is much cheaper per cell than a loop with a try around each."""
    try:
        return [parse(text) for text in texts], {}
    except CellError:
        pass
    values, errors = [], {}
    for index, text in enumerate(texts):
        try:
            values.append(parse(text))
        except CellError as error:
            values.append(None)
            errors[index] = str(error)
    return values, errors


def remembered(parse: Callable[[str], object]) -> Callable[[str], object]:
    """parse, remembering the values of up to MEMORY distinct cells: a column's cells
    repeat (amounts, tags), and a dict lookup is cheaper than parsing again."""
    memory = {}
    recall = memory.get

    def parse_remembered(text: str):
        value = recall(text, _UNSEEN)
        if value is _UNSEEN:
            value = parse(text)
            if len(memory) < MEMORY:
                memory[text] = value
        return value
    return parse_remembered


def remembered_list(parse: Callable[[str], list | None]) -> Callable[[str], list | None]:
    """remembered for parsers of lists: each call returns a list of its own."""
    parse = remembered(parse)

    def parse_copy(text: str):
        value = parse(text)
        return None if value is None else value[:]
    return parse_copy


def split_members(text: str) -> list[str]:
    """The members of a multi-select or link cell: 'a,b', 'a, b' and quoted members that
    hold commas ('Fintech,"Health, Bio"'), trimmed, without blanks or repeats, in order."""
    if '"' not in text:
        if "," not in text:
            text = text.strip()
            return [text] if text else []
        parts = text.split(",")
    else:
        parts, position, end = [], 0, len(text)
        while True:
            match = _MEMBER.match(text, position)
            inside, after, plain = match.groups()
            parts.append(plain if inside is None else inside.replace('""', '"') + after)
            position = match.end()
            if position >= end:
                break
    return [member for member in dict.fromkeys(map(str.strip, parts)) if member]


def _make_text(kind: str):
    """A parser of text or long text: trimmed, inner line breaks kept as LF, at most
    MAX_TEXT[kind] characters."""
    limit = MAX_TEXT[kind]

    def parse(text: str):
        text = text.strip()
        if not text:
            return None
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        if len(text) > limit:
            raise CellError(f"text longer than {limit:,} characters")
        return text
    return parse


parse_text = _make_text("text")
parse_long_text = _make_text("long_text")


def parse_checkbox(text: str) -> bool:
    value = CHECKBOX_WORDS.get(text)
    if value is None:
        value = CHECKBOX_WORDS.get(text.strip().lower())
        if value is None:
            raise CellError(f"{quoted(text)} is not a checkbox value (use checked or empty)")
    return value


def parse_email(text: str):
    text = text.strip()
    if not text:
        return None
    if text[0] in "mM" and text[:7].lower() == "mailto:":
        text = text[7:]
    if len(text) > 320 or not EMAIL.match(text):
        raise CellError(f"{quoted(text)} is not an email address")
    return text


def parse_url(text: str):
    """An http(s) URL; a bare domain ('acme.com/team') gets https:// in front."""
    text = text.strip()
    if not text:
        return None
    if not URL.fullmatch(text):
        if not BARE_DOMAIN.fullmatch(text):
            raise CellError(f"{quoted(text)} is not an http(s) URL")
        text = "https://" + text
    if len(text) > 2048:
        raise CellError("URL longer than 2,048 characters")
    return text


def parse_phone(text: str):
    text = text.strip()
    if not text:
        return None
    # nothing but phone characters, and a digit among them (stripping the rest leaves it)
    if text.strip(_PHONE_CHARS) or not text.strip(_PHONE_MARKS) or not 3 <= len(text) <= 40:
        raise CellError(f"{quoted(text)} is not a phone number")
    return text


def _canonical_choices(options: dict) -> dict:
    """A choice by its casefolded name, so 'seed' imports as the field's 'Seed'."""
    return {choice.casefold(): choice for choice in reversed(options.get("choices") or ())}


def _make_single_select(options: dict):
    canonical = _canonical_choices(options)

    def parse(text: str):
        text = text.strip()
        if not text:
            return None
        return canonical.get(text.casefold(), text)
    return parse


def _make_multi_select(options: dict):
    canonical = _canonical_choices(options)

    def parse(text: str):
        members = split_members(text)
        if not members:
            return None
        if canonical:
            members = list(dict.fromkeys(canonical.get(m.casefold(), m) for m in members))
        return members
    return parse


def _make_link(options: dict):
    multiple = options.get("multiple", True)

    def parse(text: str):
        names = split_members(text)
        if not names:
            return None
        if len(names) > 1 and not multiple:
            if '"' in text:
                raise CellError(f"{quoted(text)} names {len(names)} records; this field "
                                "links one")
            return [text.strip()]  # one record whose name holds a comma: "Acme, Inc"
        return names
    return parse
