"""Regular-expression functions: REGEX_MATCH REGEX_EXTRACT REGEX_REPLACE.

Patterns are untrusted, so they are bounded three ways: at most 500 characters; counted
repeats that would expand past 10,000 atoms (like ((a{100}){100}){100}) are refused before
compiling, because the `regex` module expands them while compiling; and every match runs with
the `regex` module's timeout, inside a budget per evaluation, which stops catastrophic
backtracking such as (a|aa)+$. Replacements use $1 or ${1} for groups, $& for the match and $$
for a dollar sign (RE2 and JavaScript style, as in Airtable)."""
import functools

import regex

from plugins.fundraising.formula.errors import FormulaFault, general_error
from plugins.fundraising.formula.functions.spec import eager
from plugins.fundraising.formula.limits import (MAX_REGEX_EXPANSION, MAX_REGEX_LENGTH,
                                                MAX_TEXT_LENGTH)
from plugins.fundraising.formula.runtime import regex_timeout
from plugins.fundraising.formula.types import CHECKBOX, TEXT
from plugins.fundraising.formula.values import to_text, too_long

_QUANTIFIER = regex.compile(r"\{(\d*)(?:,(\d*))?\}")


def expansion(pattern: str) -> int:
    """An upper bound on the atoms a pattern expands to once counted repeats are unrolled."""
    frames = [[0, 0]]  # per open group: [total so far, size of the last atom]
    i, n = 0, len(pattern)
    while i < n:
        char = pattern[i]
        atom = None
        if char == "\\":
            atom, i = 1, i + 2
        elif char == "[":
            end = i + 1
            if end < n and pattern[end] == "^":
                end += 1
            if end < n and pattern[end] == "]":
                end += 1
            while end < n and pattern[end] != "]":
                end += 2 if pattern[end] == "\\" else 1
            atom, i = 1, end + 1
        elif char == "(":
            frames.append([0, 0])
            i += 1
        elif char == ")" and len(frames) > 1:
            total = frames.pop()[0]
            atom, i = max(total, 1), i + 1
        elif char == "{" and (match := _QUANTIFIER.match(pattern, i)):
            bounds = [int(b) for b in match.groups() if b]
            count = max(bounds, default=1)
            frame = frames[-1]
            frame[0] += frame[1] * (count - 1)
            frame[1] *= count
            i = match.end()
        else:
            atom, i = 1, i + 1
        if atom is not None:
            frames[-1][0] += atom
            frames[-1][1] = atom
        if frames[-1][0] > MAX_REGEX_EXPANSION:
            return frames[-1][0]
    return sum(frame[0] for frame in frames)


@functools.lru_cache(maxsize=256)
def _compile(pattern: str):
    if len(pattern) > MAX_REGEX_LENGTH:
        raise general_error(f"a regular expression is limited to {MAX_REGEX_LENGTH} characters")
    if expansion(pattern) > MAX_REGEX_EXPANSION:
        raise general_error("the regular expression repeats too much")
    try:
        return regex.compile(pattern)
    except (regex.error, ValueError, OverflowError, RecursionError) as exc:
        raise general_error(f"invalid regular expression: {exc}") from None


def compiled(pattern) -> regex.Pattern:
    return _compile(to_text(pattern))


def _timed(call):
    try:
        return call(regex_timeout())
    except TimeoutError:
        raise general_error("the regular expression took too long") from None


def _match(text, pattern):
    text, found = to_text(text), compiled(pattern)
    return _timed(lambda timeout: found.search(text, timeout=timeout)) is not None


def _extract(text, pattern):
    text, found = to_text(text), compiled(pattern)
    match = _timed(lambda timeout: found.search(text, timeout=timeout))
    if match is None:
        raise FormulaFault("#N/A", "the regular expression does not match")
    return match.group(0)


def _replace(text, pattern, replacement):
    text, found, template = to_text(text), compiled(pattern), to_text(replacement)
    budget = [MAX_TEXT_LENGTH - len(text)]

    def expand(match):
        out = _expand(template, match)
        budget[0] -= len(out) - (match.end() - match.start())
        if budget[0] < 0:
            raise too_long()
        return out
    return _timed(lambda timeout: found.sub(expand, text, timeout=timeout))


def _expand(template: str, match) -> str:
    if "$" not in template:
        return template
    out, i, n = [], 0, len(template)
    while i < n:
        char = template[i]
        if char != "$" or i + 1 == n:
            out.append(char)
            i += 1
            continue
        following = template[i + 1]
        if following == "$":
            out.append("$")
            i += 2
        elif following == "&":
            out.append(match.group(0))
            i += 2
        elif following.isdigit() or (following == "{" and "}" in template[i + 2:]):
            if following == "{":
                end = template.index("}", i + 2)
                digits, after = template[i + 2:end], end + 1
            else:
                end = i + 1
                while end < n and end < i + 3 and template[end].isdigit():
                    end += 1
                digits, after = template[i + 1:end], end
            group = int(digits) if digits.isdigit() else -1
            if 0 <= group <= len(match.groups()):
                out.append(match.group(group) or "")
                i = after
            else:
                out.append(char)
                i += 1
        else:
            out.append(char)
            i += 1
    return "".join(out)


FUNCTIONS = [
    eager("REGEX_MATCH", 2, 2, CHECKBOX, _match, uses_regex=True),
    eager("REGEX_EXTRACT", 2, 2, TEXT, _extract, uses_regex=True),
    eager("REGEX_REPLACE", 3, 3, TEXT, _replace, uses_regex=True),
]
