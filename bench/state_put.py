"""state_put: GET the whole grid, change some investors, PUT it back with expected_version.

Over HTTP against `crm serve`; each repetition GETs afresh, changes rows no earlier
repetition touched, and PUTs with the version that GET returned.
"""
import statistics

import orjson

from bench import seed
from bench.report import Row, ms, size, verdict
from bench.servers import CrmServer

NAME = "state_put"
STATE_PATH = "/api/fundraising/state"
TARGET_PUT_SECONDS = 0.300
CUSTOM_FIELDS = 5
WARMUP_REPS = 1
NOTES = ["each round GETs the state, changes rows no round touched before and PUTs the whole "
         "state back with the version from that GET; the PUT time is send-to-last-byte, the "
         "body encoded beforehand"]


def _change_rows(state: dict, count: int, rng, untouched: list[int], fields: list[dict]):
    """Change Stage, Check Size and a text field of `count` rows not changed before."""
    text_field = next(f["name"] for f in fields if f["type"] == "text")
    by_id = {r["id"]: r for r in state["investors"]}
    changed = {}
    for record_id in (untouched.pop() for _ in range(count)):
        values = by_id[record_id]["fields"]
        values["Stage"] = rng.choice([s for s in seed.STAGES if s != values.get("Stage")])
        values["Check Size"] = values.get("Check Size", 0) + 25_000
        values[text_field] = f"changed {rng.getrandbits(48):x}"
        changed[record_id] = dict(values)
    return changed


def _one_round(http, sizes, rng, untouched, fields, expected_version=None):
    got, get_seconds, get_bytes = http.json("GET", STATE_PATH)
    if expected_version is not None and got["version"] != expected_version:
        raise AssertionError(f"GET gave version {got['version']}, PUT said {expected_version}")
    if len(got["state"]["investors"]) != sizes.state_investors:
        raise AssertionError("GET state does not hold every investor")
    picked = _change_rows(got["state"], sizes.state_changes, rng, untouched, fields)
    body = orjson.dumps({"expected_version": got["version"], "state": got["state"]})
    put, put_seconds, _ = http.json("PUT", STATE_PATH, body)
    counts = put["changes"]["investors"]
    if counts != {"created": 0, "updated": sizes.state_changes, "archived": 0, "restored": 0}:
        raise AssertionError(f"PUT changed something else than asked: {put['changes']}")
    if put["version"] <= got["version"]:
        raise AssertionError("PUT did not move the version forward")
    return get_seconds, get_bytes, put_seconds, len(body), put["version"], picked


def run(sizes, workdir, rng, options) -> list[Row]:
    reps = sizes.state_reps + WARMUP_REPS
    if sizes.state_changes * reps > sizes.state_investors:
        raise SystemExit("state_put: not enough investors for fresh changes every repetition")
    with CrmServer(workdir / NAME) as crm:
        http = crm.client()
        fields = seed.create_fields(http, seed.field_specs(CUSTOM_FIELDS))
        seed.insert_investors(crm.database_path, seed.investor_rows(
            sizes.state_investors, fields, rng, crm.user_id))
        untouched = list(range(1, sizes.state_investors + 1))
        rng.shuffle(untouched)
        gets, puts, version = [], [], None
        for rep in range(reps):
            get_s, get_bytes, put_s, put_bytes, version, picked = _one_round(
                http, sizes, rng, untouched, fields, version)
            if rep >= WARMUP_REPS:
                gets.append(get_s)
                puts.append(put_s)
        record_id, wanted = next(iter(picked.items()))
        final, _, _ = http.json("GET", f"/api/fundraising/investors/{record_id}")
        if final["fields"] != wanted:
            raise AssertionError("the last PUT's change is not what a GET returns")
        connections = http.connections
    put_median = statistics.median(puts)
    ok = put_median <= TARGET_PUT_SECONDS if sizes.state_is_full else None
    n, c = f"{sizes.state_investors:,}", sizes.state_changes
    spread = f"median of {len(puts)}, min {ms(min(puts))}, max {ms(max(puts))}"
    return [
        Row(NAME, f"GET state, {n} investors ({size(get_bytes)}), median of {len(gets)}",
            ms(statistics.median(gets))),
        Row(NAME, f"PUT state, {c} rows changed ({size(put_bytes)} body), {spread}",
            ms(put_median), f"<= {TARGET_PUT_SECONDS * 1000:.0f} ms", verdict(ok)),
        Row(NAME, "PUT / GET median", f"{put_median / statistics.median(gets):.2f}x"),
        Row(NAME, f"HTTP connections opened (keep-alive; {WARMUP_REPS} warm-up round untimed)",
            str(connections)),
    ]
