"""Data sizes of a run: full by default, `--quick` or BENCH_SCALE for smaller ones."""
import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True)
class Sizes:
    state_investors: int = 5_000
    state_changes: int = 50
    state_reps: int = 5
    list_investors: int = 100_000
    list_fields: int = 100  # including the 5 built-in investor fields
    list_requests: int = 300
    list_warmup: int = 30
    page_limit: int = 100
    formula_rows: int = 100_000
    formula_runs: int = 3
    formula_edits: int = 200
    view_investors: int = 100_000
    view_fields: int = 100  # including the 5 built-in investor fields
    view_requests: int = 300
    view_warmup: int = 30
    import_rows: int = 100_000  # of a 30-column Airtable export
    api_investors: int = 100_000
    api_fields: int = 100  # including the 5 built-in investor fields
    api_seconds: int = 10  # each measured wrk run (wrk -d)
    api_warmup_seconds: int = 2  # the wrk run before each measured one
    api_threads: int = 2  # wrk -t
    api_connections: int = 8  # wrk -c
    api_ids: int = 20_000  # random ids the GET and PATCH loads go through
    api_offsets: int = 2_000  # random page offsets
    api_edits: int = 500  # in-process one-cell PATCHes timed for the write lock hold

    @property
    def state_is_full(self) -> bool:
        """Whether the state_put target (stated for the full size) applies."""
        full = FULL
        return (self.state_investors, self.state_changes) == (full.state_investors,
                                                               full.state_changes)

    @property
    def list_is_full(self) -> bool:
        full = FULL
        return (self.list_investors, self.list_fields, self.page_limit) == (
            full.list_investors, full.list_fields, full.page_limit)

    @property
    def formula_is_full(self) -> bool:
        return (self.formula_rows, self.formula_edits) == (FULL.formula_rows, FULL.formula_edits)

    @property
    def view_is_full(self) -> bool:
        return (self.view_investors, self.view_fields, self.page_limit) == (
            FULL.view_investors, FULL.view_fields, FULL.page_limit)

    @property
    def import_is_full(self) -> bool:
        return self.import_rows == FULL.import_rows

    @property
    def api_is_full(self) -> bool:
        """Whether the api_throughput targets (stated for the full load) apply."""
        keys = ("api_investors", "api_fields", "page_limit", "api_seconds", "api_threads",
                "api_connections")
        return all(getattr(self, k) == getattr(FULL, k) for k in keys)


FULL = Sizes()
QUICK = Sizes(state_investors=200, state_changes=10, state_reps=3, list_investors=1_500,
              list_fields=30, list_requests=30, list_warmup=5, formula_rows=2_000,
              formula_edits=20, view_investors=1_500, view_fields=30, view_requests=30,
              view_warmup=5, import_rows=1_000, api_investors=1_500, api_fields=30,
              api_seconds=1, api_warmup_seconds=1, api_ids=500, api_offsets=100,
              api_edits=100)


def scaled(factor: float) -> Sizes:
    """FULL with record counts multiplied by `factor` (requests and fields unchanged)."""
    return dataclasses.replace(
        FULL,
        # Enough rows for fresh changes in every round (timed ones plus one warm-up).
        state_investors=max(FULL.state_changes * (FULL.state_reps + 1),
                            round(FULL.state_investors * factor)),
        list_investors=max(FULL.page_limit + 1, round(FULL.list_investors * factor)),
        formula_rows=max(FULL.formula_edits, round(FULL.formula_rows * factor)),
        view_investors=max(FULL.page_limit + 1, round(FULL.view_investors * factor)),
        import_rows=max(100, round(FULL.import_rows * factor)),
        api_investors=max(FULL.page_limit + 1, round(FULL.api_investors * factor)))


def from_scale(value: str | None) -> Sizes:
    """BENCH_SCALE: unset or 'full', 'quick', or a factor such as 0.1."""
    if not value or value == "full":
        return FULL
    if value == "quick":
        return QUICK
    try:
        factor = float(value)
    except ValueError:
        raise SystemExit(f"BENCH_SCALE must be 'full', 'quick' or a number, not {value!r}")
    if factor <= 0:
        raise SystemExit("BENCH_SCALE must be positive")
    return scaled(factor)
