"""Numbers, currency amounts and percentages as Airtable exports them, in US style: a dot
for decimals and commas between thousands. Comma-decimal locales ("1.234,50") are refused
with a hint, since "1,250" would otherwise be ambiguous."""
import re

from plugins.fundraising.imports.csv_import.errors import CellError, quoted

LARGEST = 1e15  # as schema.validate_value
SYMBOLS = ("$", "€", "£", "¥")
_UNSIGNED = r"(?:(?:\d{1,3}(?:,\d{3}){1,12}|\d{1,40})(?:\.\d{0,40})?|\.\d{1,40})"
_PLAIN_NUMBER = re.compile(r"[+-]?" + _UNSIGNED, re.ASCII)
_NUMBER = re.compile(r"[+-]?" + _UNSIGNED + r"(?:[eE][+-]?\d{1,3})?", re.ASCII)
_COMMA_DECIMAL = re.compile(r"\d,\d{1,2}\D*$|\d\.\d{3},")


def read_number(text: str, exponent: bool = True):
    """The int (when whole) or float written in stripped text: '1,234.5', '-7', '.5' and,
    with exponent, '1.5E+07'; None when it is not a number."""
    if text.isdigit() and len(text) < 16 and text.isascii():
        return int(text)
    if (_NUMBER if exponent else _PLAIN_NUMBER).fullmatch(text) is None:
        return None
    value = float(text.replace(",", "") if "," in text else text)
    return int(value) if value.is_integer() else value


def parse_number(text: str):
    """A number field's value: '1,234.5' -> 1234.5, '-7' -> -7, '1.5E+07' -> 15000000."""
    stripped = text.strip()
    if not stripped:
        return None
    value = read_number(stripped)
    if value is None:
        raise CellError(f"{quoted(text)} is not a number{_hint(text)}")
    return _bounded(value, text)


def parse_percent(text: str):
    """A percent field's fraction: '12.5%' -> 0.125, and a bare '12.5' is 12.5% too."""
    stripped = text.strip()
    if not stripped:
        return None
    number = stripped[:-1].rstrip() if stripped[-1] == "%" else stripped
    if _PLAIN_NUMBER.fullmatch(number) is None:
        raise CellError(f"{quoted(text)} is not a percentage{_hint(text)}")
    value = float(number.replace(",", "") + "e-2")  # one rounding: '12.3' -> 0.123
    return _bounded(int(value) if value.is_integer() else value, text)


def make_currency_parser(options: dict):
    """A parser for a currency field: '$1,250.00' -> 1250, '($5.50)' -> -5.5, '-€5' -> -5.

    $ € £ ¥ and the field's own symbol may come before or after the amount; when the field
    has a symbol, an amount in another currency is refused rather than relabelled."""
    symbol = (options.get("symbol") or "").strip()
    pattern = currency_pattern(symbol)

    def parse(text: str):
        stripped = text.strip()
        if not stripped:
            return None
        amount = read_currency(stripped, pattern)
        if amount is None:
            raise CellError(f"{quoted(text)} is not a currency amount{_hint(text)}")
        value, found = amount
        if symbol and found and found.casefold() != symbol.casefold():
            raise CellError(f"{quoted(text)} is in {found}; this field is in {symbol}")
        return _bounded(value, text)
    return parse


def currency_pattern(symbol: str | None = None) -> re.Pattern:
    """The regex of a stripped amount: '(', a sign, a symbol, a sign, the number, a symbol,
    ')', all but the number optional. Symbols are $ € £ ¥ and the field's own, in any case."""
    names = set(SYMBOLS) | ({symbol.strip()} if symbol and symbol.strip() else set())
    one = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    flags = re.ASCII | (re.IGNORECASE if any(c.isalpha() for c in one) else 0)
    return re.compile(rf"(\()?([+-])? ?({one})? ?([+-])?({_UNSIGNED}) ?({one})?(\))?", flags)


DEFAULT_CURRENCY = currency_pattern()


def read_currency(text: str, pattern: re.Pattern = DEFAULT_CURRENCY):
    """(amount, symbol or None) from stripped text: '$1,250.00', '-$5', '$-5', '($5.00)',
    '5 €' or a bare '1250'; None when it is not a currency amount."""
    match = pattern.fullmatch(text)
    if match is None:
        return None
    paren, sign, before, inner, digits, after, close = match.groups()
    if paren or close or inner or after:  # the rarer shapes, and their mistakes
        if (paren is None) != (close is None) or sign and inner or paren and (sign or inner):
            return None
        if before and after:
            return None
        sign = sign or inner
    value = float(digits.replace(",", "") if "," in digits else digits)
    value = int(value) if value.is_integer() else value
    return (-value if paren or sign == "-" else value), before or after


def _bounded(value, text: str):
    if not -LARGEST <= value <= LARGEST:
        raise CellError(f"{quoted(text)} is too large")
    return value


def _hint(text: str) -> str:
    if _COMMA_DECIMAL.search(text):
        return " (use a dot for decimals, as in 1,234.50)"
    return ""
