"""Rows of the result table, percentiles and the plain-text rendering."""
from dataclasses import dataclass


@dataclass
class Row:
    bench: str
    metric: str
    value: str
    target: str = ""
    result: str = ""


def percentile(values, q: float) -> float:
    """The q-th percentile (0..100), linear between the closest ranks."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    k = (len(ordered) - 1) * q / 100
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def us(seconds: float) -> str:
    return f"{seconds * 1e6:.2f} µs"


def size(nbytes: float) -> str:
    if nbytes >= 1024 * 1024:
        return f"{nbytes / 1024 / 1024:.1f} MiB"
    return f"{nbytes / 1024:.0f} KiB"


def verdict(ok: bool | None) -> str:
    """PASS/FAIL, or n/a when the run's sizes are not the ones the target is stated for."""
    if ok is None:
        return "n/a (not full size)"
    return "PASS" if ok else "FAIL"


def render(rows: list[Row]) -> str:
    header = Row("benchmark", "metric", "value", "target", "result")
    cells = [[r.bench, r.metric, r.value, r.target, r.result] for r in [header, *rows]]
    widths = [max(len(c[i]) for c in cells) for i in range(5)]
    lines = []
    for n, row in enumerate(cells):
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
