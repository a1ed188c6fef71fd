"""Test data: custom fields created through the fields API, investors bulk-inserted.

Rows go straight into fundraising_investors with sqlite-utils `insert_all`, in the layout
RecordStore writes: built-in fields in their columns, custom fields in the `data` JSON
keyed by str(field id).
"""
import random
import string
from datetime import date, timedelta

import orjson

from core.db import connect, utcnow
from plugins.fundraising.schema import STAGES

FIELDS_PATH = "/api/fundraising/fields"
BUILTIN_INVESTOR_FIELDS = 5  # Name, Stage, Owner, Check Size, Last Contact
# Mixed types, cycled; a table with five custom fields gets the first five.
CUSTOM_TYPES = ("single_select", "text", "currency", "date", "checkbox", "number", "percent",
                "multi_select", "email", "url", "phone", "long_text", "link", "user")
CHOICES = ["Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta"]
POOL = 64  # distinct values drawn per field
FILLED = 0.85  # share of rows with a value in a given custom field


def field_specs(count: int) -> list[dict]:
    """Bodies for POST /api/fundraising/fields: `count` investor fields of mixed types."""
    specs = []
    for i in range(count):
        ftype = CUSTOM_TYPES[i % len(CUSTOM_TYPES)]
        spec = {"table": "investors", "name": f"{ftype.replace('_', ' ').title()} {i + 1}",
                "type": ftype}
        if ftype in ("single_select", "multi_select"):
            spec["options"] = {"choices": CHOICES}
        elif ftype == "currency":
            spec["options"] = {"symbol": "$"}
        elif ftype == "link":
            spec["options"] = {"table": "investors", "multiple": True}
        specs.append(spec)
    return specs


def create_fields(http, specs: list[dict]) -> list[dict]:
    return [http.json("POST", FIELDS_PATH, spec, expect=201)[0] for spec in specs]


def _words(rng, low, high):
    return " ".join("".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 9)))
                    for _ in range(rng.randint(low, high)))


def _day(rng):
    return (date(2022, 1, 1) + timedelta(days=rng.randrange(1400))).isoformat()


def value_pool(field: dict, rng, record_count: int, user_id: int) -> list:
    """POOL valid values for one field (valid as the field's validator would accept)."""
    makers = {
        "text": lambda: _words(rng, 1, 5),
        "long_text": lambda: _words(rng, 20, 80),
        "number": lambda: rng.randint(0, 10_000),
        "currency": lambda: round(rng.uniform(0, 5e7), 2),
        "percent": lambda: round(rng.uniform(0, 1), 3),  # a fraction, as stored
        "date": lambda: _day(rng),
        "checkbox": lambda: rng.random() < 0.5,
        "single_select": lambda: rng.choice(field["options"]["choices"]),
        "multi_select": lambda: rng.sample(field["options"]["choices"], rng.randint(1, 3)),
        "email": lambda: f"{_words(rng, 1, 1)}@{_words(rng, 1, 1)}.example",
        "url": lambda: f"https://{_words(rng, 1, 1)}.example/{rng.randint(1, 999)}",
        "phone": lambda: f"+1 555 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
        "link": lambda: rng.sample(range(1, record_count + 1),
                                   min(record_count, rng.randint(1, 3))),
        "user": lambda: user_id,
    }
    return [makers[field["type"]]() for _ in range(POOL)]


def investor_rows(count: int, fields: list[dict], rng: random.Random, user_id: int):
    """Yield `count` rows for fundraising_investors; ids will be 1..count in a fresh table."""
    pools = [(str(f["id"]), value_pool(f, rng, count, user_id)) for f in fields]
    cutoff = int(256 * FILLED)
    now = utcnow()
    for n in range(1, count + 1):
        picks = rng.randbytes(len(pools))
        data = {key: pool[b % POOL] for (key, pool), b in zip(pools, picks) if b < cutoff}
        yield {
            "name": f"{_words(rng, 1, 2).title()} Capital {n}",
            "stage": rng.choice(STAGES),
            "owner_id": user_id if n % 2 else None,
            "check_size": float(rng.randrange(4, 1000) * 25_000),
            "last_contact": _day(rng) if n % 3 else None,
            "data": orjson.dumps(data).decode(),
            "version": 1, "created_at": now, "created_by": user_id, "updated_at": now,
            "updated_by": user_id, "deleted_at": None,
        }


def insert_investors(database_path, rows) -> int:
    """Bulk-insert rows, then checkpoint the WAL so every reader starts from the main file."""
    db = connect(database_path)
    try:
        table = db["fundraising_investors"]
        table.insert_all(rows, batch_size=500)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return db.execute("SELECT count(*) FROM fundraising_investors "
                          "WHERE deleted_at IS NULL").fetchone()[0]
    finally:
        db.close()
