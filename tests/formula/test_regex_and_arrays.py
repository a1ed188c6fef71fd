import pytest

from plugins.fundraising.formula.functions.patterns import expansion


@pytest.mark.parametrize("expression, expected", [
    # Airtable's documented examples
    ('REGEX_MATCH("Hello World", "Hello.World")', True),
    ('REGEX_EXTRACT("Hello World", "W.*")', "World"),
    ('REGEX_REPLACE("Hello World", " W.*", "")', "Hello"),
    # more
    ('REGEX_MATCH("Hello World", "^World")', False),
    ('REGEX_MATCH({Email}, "@acme\\\\.com$")', True),
    ('REGEX_EXTRACT("Series A: $5M", "[0-9]+")', "5"),
    ('REGEX_REPLACE("a1b22c333", "[0-9]+", "#")', "a#b#c#"),
    ('REGEX_REPLACE("2024-01-05", "(\\\\d+)-(\\\\d+)-(\\\\d+)", "$3/$2/$1")', "05/01/2024"),
    ('REGEX_REPLACE("2024-01-05", "(\\\\d+)-(\\\\d+)-(\\\\d+)", "${3}.$2")', "05.01"),
    ('REGEX_REPLACE("cost", "cost", "$$5 and $&")', "$5 and cost"),
    ('REGEX_REPLACE("abc", "b", "$9")', "a$9c"),
    ('REGEX_REPLACE("abc", "b", "\\\\1")', "a\\1c"),
    ('REGEX_MATCH(123, "^12")', True),
    ('REGEX_MATCH({Name}, "x")', False),
])
def test_regex_functions(run, expression, expected):
    assert run(expression, {"Email": "jo@acme.com"}) == expected


def test_regex_errors(code):
    assert code('REGEX_EXTRACT("abc", "[0-9]+")') == "#N/A"
    assert code('REGEX_MATCH("abc", "(")') == "#ERROR!"
    assert code('REGEX_MATCH("abc", REPT("a", 501))') == "#ERROR!"
    assert code('REGEX_MATCH("abc", "((a{100}){100}){100}")') == "#ERROR!"
    assert code('ISERROR(REGEX_EXTRACT("abc", "x")) & REGEX_EXTRACT("abc", "x")') == "#N/A"


@pytest.mark.parametrize("pattern, expected", [
    ("abc", 3), ("a{1000}", 1000), ("(a{100}){100}", 10_000), ("[a-z]{3}", 3),
    ("(ab|cd)+", 6), (r"\d{2}", 2), ("a{2,5}b", 6), ("x{", 2),
])
def test_regex_expansion_bound(pattern, expected):
    assert expansion(pattern) == expected


@pytest.mark.parametrize("expression, expected", [
    ("ARRAYJOIN({Tags})", "VC, Angel, VC"),
    ('ARRAYJOIN({Tags}, "; ")', "VC; Angel; VC"),
    ('ARRAYJOIN({Investors}, "-")', "1-2-1"),
    ("ARRAYJOIN({Name})", ""),
    ("ARRAYJOIN('solo')", "solo"),
    ("ARRAYUNIQUE({Tags})", ["VC", "Angel"]),
    ("ARRAYUNIQUE({Investors})", [1, 2]),
    ("ARRAYUNIQUE({Name})", []),
    ("ARRAYJOIN(ARRAYUNIQUE({Tags}), ' & ')", "VC & Angel"),
    ("{Tags}", ["VC", "Angel", "VC"]),
    ("LEN(ARRAYJOIN({Tags}))", 13),
])
def test_array_functions(run, expression, expected):
    assert run(expression, {"Tags": ["VC", "Angel", "VC"], "Investors": [1, 2, 1]}) == expected


def test_single_links_are_values_not_lists(run):
    assert run("ARRAYJOIN({Investors})", {"Investors": 7}) == "7"
    assert run("{Investors} + 1", {"Investors": 7}) == 8


def test_array_join_that_would_be_too_long_is_a_value_error(code):
    assert code('ARRAYJOIN({Tags}, REPT("-", 60000))', {"Tags": ["a", "b", "c"]}) == "#VALUE!"
