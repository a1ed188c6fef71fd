"""Formula-like text in an export: guarded for spreadsheets, read back unchanged."""
from hypothesis import given
from hypothesis import strategies as st

from plugins.fundraising.imports.csv_import import read_csv
from plugins.fundraising.imports.csv_import.formula_cells import (FORMULA_STARTS, guard_formula,
                                                                  unguard_formula)

# texts rich in apostrophes and formula starts, where a guard could go wrong
TEXTS = st.text(alphabet=st.sampled_from(["'", "=", "+", "-", "@", "\t", "a", " ", "1"]),
                max_size=8) | st.text()


@given(TEXTS)
def test_a_guarded_text_reads_back_and_runs_nowhere(text):
    guarded = guard_formula(text)
    assert unguard_formula(guarded) == text
    assert not guarded.startswith(FORMULA_STARTS)


def test_examples():
    assert guard_formula("=SUM(A1)") == "'=SUM(A1)"
    assert guard_formula("+1 555 0100") == "'+1 555 0100"
    assert guard_formula("'=x") == "''=x"
    assert guard_formula("O'Brien") == "O'Brien" and guard_formula("'quoted'") == "'quoted'"
    assert unguard_formula("'quoted'") == "'quoted'"  # not a guard: kept


def test_read_csv_takes_the_guard_off_cells_and_header():
    table = read_csv("Name,'=Score\r\n'=HYPERLINK(\"x\"),''@a\r\nO'Brien,'plain\r\n")
    assert table.header == ["Name", "=Score"]
    assert table.rows == [['=HYPERLINK("x")', "'@a"], ["O'Brien", "'plain"]]
