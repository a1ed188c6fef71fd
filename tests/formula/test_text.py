import pytest


@pytest.mark.parametrize("expression, expected", [
    # Airtable's documented examples
    ('{Name} & " " & {Amount}', "Jane 28"),
    ('"\\"" & {Name} & "\\""', '"Jane"'),
    ('CONCATENATE({Name}, " ", {Amount})', "Jane 28"),
    ('FIND("fox", "quick brown fox")', 13),
    ('SEARCH("World", "Hello World")', 7),
    ('LEFT("quick brown fox", 5)', "quick"),
    ('RIGHT("quick brown fox", 5)', "n fox"),
    # Airtable's page shows MID("quick brown fox", 6, 5) => "brown"; its MID counts from 1
    # (as REPLACE's example below does), which makes that " brow".
    ('MID("quick brown fox", 7, 5)', "brown"),
    ('MID("quick brown fox", 6, 5)', " brow"),
    ('LEN("quick brown fox")', 15),
    ('LOWER("Hello!")', "hello!"),
    ('UPPER("Hello!")', "HELLO!"),
    ('REPLACE("database", 2, 5, "o")', "dose"),
    ('REPT("Hi! ", 3)', "Hi! Hi! Hi! "),
    ('SUBSTITUTE("gold mold", "old", "et")', "get met"),
    ('SUBSTITUTE("gold mold", "old", "et", 1)', "get mold"),
    ('SUBSTITUTE("gold mold", "old", "et", 2)', "gold met"),
    ('TRIM(" Hello! ")', "Hello!"),
    ('T("Hello")', "Hello"),
    ("T(100)", None),
    ('VALUE("$1,000,000")', 1000000),
    # more
    ('CONCAT("a", 1, TRUE(), BLANK(), 2.5)', "a1true2.5"),
    ('CONCAT({Name})', "Jane"),
    ('CONCAT("a", "b", "c", "d")', "abcd"),
    ('LEFT("abc", 0)', ""),
    ('LEFT("abc", 10)', "abc"),
    ('RIGHT("abc", 0)', ""),
    ('MID("abc", 5, 2)', ""),
    ('LEFT("abcdef", 2.9)', "ab"),
    ('FIND("o", "foo boo", 3)', 6),
    ('FIND("z", "abc")', 0),
    ('FIND("a", "ABC")', 0),
    ('SEARCH("z", "abc")', None),
    ('SUBSTITUTE("aaa", "", "b")', "aaa"),
    ('SUBSTITUTE("abc", "x", "y", 1)', "abc"),
    ('REPT("ab", 0)', ""),
    ('VALUE("12.5")', 12.5),
    ('VALUE("50%")', 0.5),
    ('VALUE(" -3 ")', -3),
    ("VALUE(7)", 7),
    ('LEN({Amount})', 2),
    ("1 / 4 & ''", "0.25"),
    ("6 / 2 & ''", "3"),
    ("1e21 & ''", "1e+21"),
    ("0.0000001 & ''", "1e-7"),
    ("0.000001 & ''", "0.000001"),
])
def test_text_functions(run, expression, expected):
    assert run(expression, {"Name": "Jane", "Amount": 28}) == expected


def test_ampersand_treats_blank_as_empty_text(run):
    assert run('{Name} & "-" & {Stage}') == "-"
    assert run("CONCAT({Name}, {Notes})") == ""


def test_values_of_every_type_become_text(run):
    values = {"Tags": ["VC", "Angel"], "Investors": [3, 4], "Due": "2024-02-29",
              "Met": "2024-02-29T09:30:00Z", "Done": False, "Owner": 7}
    assert run("{Tags} & ''", values) == "VC, Angel"
    assert run("{Investors} & ''", values) == "3, 4"
    assert run("{Due} & ''", values) == "2024-02-29"
    assert run("{Met} & ''", values) == "2024-02-29T09:30:00.000Z"
    assert run("{Done} & ''", values) == "false"
    assert run("{Owner} & ''", values) == "7"


def test_text_functions_take_numbers(run):
    assert run("LEN(12345)") == 5
    assert run("LEFT(2024, 2)") == "20"
    assert run("UPPER({Tags})", {"Tags": ["a", "b"]}) == "A, B"


@pytest.mark.parametrize("expression", [
    'LEFT("abc", -1)', 'RIGHT("abc", -1)', 'MID("abc", 0, 1)', 'MID("abc", 1, -1)',
    'REPT("x", -1)', 'SUBSTITUTE("a", "a", "b", 0)', 'REPLACE("abc", 0, 1, "x")',
    'VALUE("abc")', 'LEFT("abc", "x")',
])
def test_bad_counts_and_positions_are_value_errors(code, expression):
    assert code(expression) == "#VALUE!"


@pytest.mark.parametrize("expression", [
    'REPT("x", 1e9)', 'REPT(REPT("x", 1000), 1000)',
    'SUBSTITUTE(REPT("a", 1000), "a", REPT("b", 200))',
    'REPT("x", 60000) & REPT("y", 60000)', 'CONCAT(REPT("x", 60000), REPT("y", 60000))',
    'CONCAT(REPT("x", 40000), "a", REPT("y", 40000), REPT("z", 40000))',
])
def test_text_longer_than_the_limit_is_a_value_error(code, expression):
    assert code(expression) == "#VALUE!"
