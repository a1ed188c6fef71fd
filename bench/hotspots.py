"""The functions a piece of work spends its time in, by cProfile, as rows of the table."""
import cProfile
import pstats
from pathlib import Path

from bench.report import Row, ms

TOP_FUNCTIONS = 12
REPO = Path(__file__).resolve().parents[1]


def profile_rows(bench: str, what: str, function, calls: int, unit: str = "req",
                 per=ms, top: int = TOP_FUNCTIONS) -> list[Row]:
    """Run `function` (doing `calls` units of work) under cProfile; the top functions by own
    time, each with its share of own time and of time including callees."""
    profiler = cProfile.Profile()
    profiler.runcall(function)
    stats = pstats.Stats(profiler)
    total = stats.total_tt
    ranked = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)[:top]
    rows = [Row(bench, f"cProfile: {what}, top functions by own time "
                       f"(share of own time / incl. callees)", per(total / calls) + f"/{unit}")]
    for (filename, line, name), (_cc, count, own, cumulative, _callers) in ranked:
        rows.append(Row(bench, f"  {name} ({short(filename)}:{line}) x{count / calls:g}/{unit}",
                        f"{own / total:.0%} / {cumulative / total:.0%}"))
    return rows


def short(filename: str) -> str:
    """A path from the repository or site-packages; built-ins keep their `~` name."""
    path = Path(filename)
    if path.is_relative_to(REPO):
        return str(path.relative_to(REPO))
    if "site-packages" in path.parts:
        return "/".join(path.parts[path.parts.index("site-packages") + 1:])
    return filename
