import pytest

from plugins.fundraising.imports.csv_import import make_parser, parse_cell, split_members
from plugins.fundraising.schema import FIELD_TYPES, validate_value

EMPTY_CELLS = ["", "   ", "\r\n"]


@pytest.mark.parametrize("field_type", [t for t in FIELD_TYPES if t != "formula"])
@pytest.mark.parametrize("text", EMPTY_CELLS)
def test_an_empty_cell_is_none_except_a_checkbox_which_is_false(field_type, text):
    expected = False if field_type == "checkbox" else None
    assert parse_cell(text, field_type, {}) is expected


def test_formula_and_unknown_types_cannot_be_imported():
    with pytest.raises(ValueError, match="computed"):
        make_parser("formula", {})
    with pytest.raises(ValueError, match="unknown field type"):
        make_parser("rollup", {})


@pytest.mark.parametrize("text, value", [
    ("1250000", 1250000), ("1,234.5", 1234.5), ("1,234,567", 1234567), ("-7", -7),
    ("+7", 7), ("0", 0), ("-0", 0), ("3.50", 3.5), ("2.0", 2), (".5", 0.5), ("5.", 5),
    (" 42 ", 42), ("1.5E+07", 15_000_000), ("2.5e-3", 0.0025), ("1000000000000000", 10**15),
])
def test_numbers_are_ints_when_whole_else_floats(text, value):
    parsed = parse_cell(text, "number")
    assert parsed == value and type(parsed) is type(value)


@pytest.mark.parametrize("text", ["12x", "1,23", "12,34", "1 234", "nan", "inf", "1_000",
                                  "--5", "1.2.3", "$5", "5%", "٣", "e5", "."])
def test_bad_numbers(cell_error, text):
    assert cell_error(text, "number").startswith(f"'{text}' is not a number")


def test_comma_decimal_numbers_get_a_hint(cell_error):
    assert cell_error("1.234,5", "number") == (
        "'1.234,5' is not a number (use a dot for decimals, as in 1,234.50)")


def test_too_large_numbers(cell_error):
    assert cell_error("1e16", "number") == "'1e16' is too large"
    assert cell_error("-$2,000,000,000,000,000", "currency").endswith("is too large")
    assert cell_error("9" * 5000, "number")  # no int() digit-limit error


@pytest.mark.parametrize("text, value", [
    ("$1,250,000.00", 1250000), ("-$5.00", -5), ("($5.00)", -5), ("$-5.50", -5.5),
    ("1250000", 1250000), ("$0.99", 0.99), ("€1,234.50", 1234.5), ("£12", 12),
    ("¥1,000", 1000), ("5 €", 5), ("(1,000)", -1000), ("$ 1,000", 1000), ("+$3", 3),
])
def test_currency_amounts(text, value):
    parsed = parse_cell(text, "currency")
    assert parsed == value and type(parsed) is type(value)


@pytest.mark.parametrize("text", ["$12x", "$$5", "(5", "5)", "(-$5)", "-($5)", "$5$", "$",
                                  "USD 5", "$1,25", "1.234,50", "--5"])
def test_bad_currency_amounts(cell_error, text):
    assert cell_error(text, "currency").startswith(f"'{text}' is not a currency amount")


def test_comma_decimal_currency_gets_a_hint(cell_error):
    assert cell_error("€1.234,50", "currency") == (
        "'€1.234,50' is not a currency amount (use a dot for decimals, as in 1,234.50)")


def test_a_field_symbol_is_accepted_in_any_case_and_other_currencies_are_refused(cell_error):
    assert parse_cell("CHF 1,200", "currency", {"symbol": "CHF"}) == 1200
    assert parse_cell("chf1200", "currency", {"symbol": "CHF"}) == 1200
    assert parse_cell("$5", "currency", {"symbol": "$"}) == 5
    assert parse_cell("5", "currency", {"symbol": "$"}) == 5
    assert cell_error("€5", "currency", {"symbol": "$"}) == "'€5' is in €; this field is in $"


@pytest.mark.parametrize("text, value", [
    ("12.5%", 0.125), ("-3%", -0.03), ("100%", 1), ("0%", 0), ("12.3%", 0.123),
    ("7 %", 0.07), ("12.5", 0.125), ("0.5", 0.005), ("1,250%", 12.5),
])
def test_percent_is_stored_as_a_fraction_and_a_bare_number_is_a_percent(text, value):
    parsed = parse_cell(text, "percent")
    assert parsed == value and type(parsed) is type(value)


@pytest.mark.parametrize("text", ["12.5%%", "%", "abc%", "1e5%", "12,5%"])
def test_bad_percentages(cell_error, text):
    assert cell_error(text, "percent").startswith(f"'{text}' is not a percentage")


@pytest.mark.parametrize("text", [
    "11/25/2026", "2026-11-25", "11/25/26", "11-25-2026", "2026-11-25T00:00:00.000Z",
    "November 25, 2026", "Nov 25, 2026", "nov. 25 2026", "11/25/2026 0:00", "11/25/2026 12:00am",
])
def test_dates(text):
    assert parse_cell(text, "date") == "2026-11-25"


def test_single_digit_months_and_two_digit_years():
    assert parse_cell("1/5/2026", "date") == "2026-01-05"
    assert parse_cell("1/5/68", "date") == "2068-01-05"
    assert parse_cell("1/5/69", "date") == "1969-01-05"


def test_european_dates_only_when_the_field_says_so(cell_error):
    european = {"date_format": "european"}
    assert parse_cell("25/11/2026", "date", european) == "2026-11-25"
    assert parse_cell("5/1/2026", "date", european) == "2026-01-05"
    assert parse_cell("25.11.2026", "date", european) == "2026-11-25"
    assert parse_cell("2026-11-25", "date", european) == "2026-11-25"
    assert parse_cell("5/1/2026", "date") == "2026-05-01"
    assert "european" in cell_error("25/11/2026", "date")
    assert "day/month/year" in cell_error("11/25/2026", "date", european)


@pytest.mark.parametrize("text", ["2/30/2026", "13/13/2026", "2026-13-01", "tomorrow",
                                  "11/25", "25 Nov", "Smarch 3, 2026", "3:04pm",
                                  "11/25/2026 25:00", "11/25/2026 13:04pm", "11/25/2026 3:60"])
def test_bad_dates(cell_error, text):
    assert cell_error(text, "date").startswith(f"'{text}' is not a date")


def test_a_time_of_day_in_a_date_only_field_is_refused(cell_error):
    assert cell_error("11/25/2026 3:04pm", "date") == (
        "'11/25/2026 3:04pm' has a time of day; this field holds dates only")


@pytest.mark.parametrize("text, value", [
    ("11/25/2026 3:04pm", "2026-11-25T15:04:00"),
    ("11/25/2026 3:04 PM", "2026-11-25T15:04:00"),
    ("11/25/2026 12:04am", "2026-11-25T00:04:00"),
    ("11/25/2026 12:30pm", "2026-11-25T12:30:00"),
    ("11/25/2026 15:04", "2026-11-25T15:04:00"),
    ("11/25/2026 15:04:59", "2026-11-25T15:04:59"),
    ("2026-11-25T15:04:00.000Z", "2026-11-25T15:04:00"),
    ("2026-11-25T15:04:00+01:00", "2026-11-25T15:04:00"),
    ("2026-11-25 15:04", "2026-11-25T15:04:00"),
    ("11/25/2026 3:04pm GMT", "2026-11-25T15:04:00"),
    ("November 25, 2026 3:04pm", "2026-11-25T15:04:00"),
    ("11/25/2026", "2026-11-25T00:00:00"),
    ("2026-11-25", "2026-11-25T00:00:00"),
])
def test_date_times(text, value):
    assert parse_cell(text, "date", {"include_time": True}) == value


def test_european_date_times():
    options = {"include_time": True, "date_format": "european"}
    assert parse_cell("25/11/2026 15:04", "date", options) == "2026-11-25T15:04:00"


def test_a_date_parser_remembers_days_without_mixing_them_up():
    parse = make_parser("date", {"include_time": True})
    cells = ["11/25/2026 3:04pm", "November 25, 2026 3:05pm", "11/25/2026 3:05pm",
             "11/26/2026 3:04pm", "2026-11-25T15:04:00.000Z"]
    assert [parse(cell) for cell in cells] == [
        "2026-11-25T15:04:00", "2026-11-25T15:05:00", "2026-11-25T15:05:00",
        "2026-11-26T15:04:00", "2026-11-25T15:04:00"]


@pytest.mark.parametrize("text", ["checked", "Checked", "TRUE", "true", "yes", "1", "x", "✓"])
def test_checkbox_true(text):
    assert parse_cell(text, "checkbox") is True


@pytest.mark.parametrize("text", ["", "unchecked", "false", "FALSE", "no", "0", " "])
def test_checkbox_false(text):
    assert parse_cell(text, "checkbox") is False


def test_bad_checkbox(cell_error):
    assert cell_error("maybe", "checkbox") == (
        "'maybe' is not a checkbox value (use checked or empty)")


@pytest.mark.parametrize("text, members", [
    ("a,b", ["a", "b"]), ("a, b", ["a", "b"]), (" a ,b ,", ["a", "b"]),
    ('Fintech,"Health, Bio"', ["Fintech", "Health, Bio"]),
    ('"Health, Bio",Fintech', ["Health, Bio", "Fintech"]),
    ('Fintech, "Health, Bio" , AI', ["Fintech", "Health, Bio", "AI"]),
    ('"say ""hi"", then go"', ['say "hi", then go']),
    ("a,b,a,b,c", ["a", "b", "c"]), ("solo", ["solo"]), ("", []), (" , ,", []),
    ('5" screen,b', ['5" screen', "b"]), ('"unclosed, b', ['"unclosed', "b"]),
])
def test_split_members(text, members):
    assert split_members(text) == members


def test_multi_select_members_take_the_spelling_of_the_fields_choices():
    options = {"choices": ["Fintech", "Health, Bio"]}
    assert parse_cell('fintech,"HEALTH, BIO",New', "multi_select", options) == [
        "Fintech", "Health, Bio", "New"]
    assert parse_cell("Fintech, fintech", "multi_select", options) == ["Fintech"]
    assert parse_cell('Fintech,"Health, Bio"', "multi_select") == ["Fintech", "Health, Bio"]


def test_a_remembered_list_is_a_new_list_each_time():
    parse = make_parser("multi_select", {})
    first = parse("a,b")
    first.append("mutated")
    assert parse("a,b") == ["a", "b"]


def test_single_select_is_trimmed_and_takes_the_choice_spelling():
    options = {"choices": ["Soft Circle", "Committed"]}
    assert parse_cell("  soft circle ", "single_select", options) == "Soft Circle"
    assert parse_cell("Passed", "single_select", options) == "Passed"  # new choices: importer
    assert parse_cell(" Intro ", "single_select") == "Intro"


def test_links_are_lists_of_names():
    assert parse_cell('Acme,"Globex, Inc"', "link") == ["Acme", "Globex, Inc"]
    single = {"table": "investors", "multiple": False}
    assert parse_cell("Acme", "link", single) == ["Acme"]
    assert parse_cell("Acme, Inc", "link", single) == ["Acme, Inc"]


def test_a_single_link_naming_two_records_is_refused(cell_error):
    single = {"table": "investors", "multiple": False}
    assert cell_error('Acme,"Globex, Inc"', "link", single) == (
        "'Acme,\"Globex, Inc\"' names 2 records; this field links one")


def test_emails(cell_error):
    assert parse_cell(" ann@fund.com ", "email") == "ann@fund.com"
    assert parse_cell("mailto:ann@fund.com", "email") == "ann@fund.com"
    assert cell_error("ann@fund", "email") == "'ann@fund' is not an email address"
    assert cell_error("ann fund@x.com", "email") == "'ann fund@x.com' is not an email address"


def test_urls(cell_error):
    assert parse_cell("https://acme.com/team?x=1", "url") == "https://acme.com/team?x=1"
    assert parse_cell("HTTP://acme.com", "url") == "HTTP://acme.com"
    assert parse_cell("acme.com/team", "url") == "https://acme.com/team"
    assert parse_cell("www.acme.co.uk", "url") == "https://www.acme.co.uk"
    assert cell_error("ftp://acme.com", "url") == "'ftp://acme.com' is not an http(s) URL"
    assert cell_error("not a url", "url") == "'not a url' is not an http(s) URL"
    assert cell_error("https://", "url") == "'https://' is not an http(s) URL"


def test_phones(cell_error):
    for text in ["+1 (555) 123-4567", "555.123.4567", "+44 20 7946 0958 x12"]:
        assert parse_cell(text, "phone") == text
    assert cell_error("call me", "phone") == "'call me' is not a phone number"
    assert cell_error("+()-", "phone") == "'+()-' is not a phone number"
    assert cell_error("5" * 41, "phone").endswith("is not a phone number")


def test_text_is_trimmed_and_long_text_keeps_inner_line_breaks_as_lf():
    assert parse_cell("  Acme  ", "text") == "Acme"
    assert parse_cell("one\r\ntwo\rthree\n\nfour\r\n", "long_text") == (
        "one\ntwo\nthree\n\nfour")
    attachments = ("deck.pdf (https://dl.airtable.com/a/deck.pdf),"
                   "memo.docx (https://dl.airtable.com/b/memo.docx)")
    assert parse_cell(attachments, "text") == attachments


def test_text_longer_than_its_field_allows(cell_error):
    assert cell_error("x" * 10_001, "text") == "text longer than 10,000 characters"
    assert parse_cell("x" * 10_001, "long_text") == "x" * 10_001


def test_a_user_cell_is_its_text_for_the_importer_to_resolve():
    assert parse_cell(" ann@fund.com ", "user") == "ann@fund.com"


@pytest.mark.parametrize("field_type, options, text", [
    ("number", {"precision": 2}, "1,234.56"), ("currency", {"symbol": "$"}, "($5.00)"),
    ("percent", {}, "12.5%"), ("date", {}, "11/25/26"),
    ("date", {"include_time": True}, "2026-11-25T15:04:00.000Z"), ("checkbox", {}, "checked"),
    ("single_select", {"choices": ["Intro"]}, "intro"),
    ("multi_select", {"choices": ["a", "b"]}, "a, B"), ("email", {}, "mailto:a@b.co"),
    ("url", {}, "acme.com"), ("phone", {}, "+1 555 0100"), ("long_text", {}, "a\r\nb"),
])
def test_parsed_values_pass_the_schemas_validation(field_type, options, text):
    value = parse_cell(text, field_type, options)
    assert validate_value(field_type, options, value) == value
