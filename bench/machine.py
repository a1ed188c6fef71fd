"""What the numbers were measured on: CPU, cores, Python, SQLite, and when."""
import hashlib
import os
import platform
import sqlite3
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def physical_cores() -> int | None:
    """Distinct (physical id, core id) pairs in /proc/cpuinfo, when it lists them."""
    try:
        with open("/proc/cpuinfo") as handle:
            text = handle.read()
    except OSError:
        return None
    pairs = set()
    for block in text.split("\n\n"):
        keys = dict(line.split(":", 1) for line in block.splitlines() if ":" in line)
        keys = {k.strip(): v.strip() for k, v in keys.items()}
        if "core id" in keys:
            pairs.add((keys.get("physical id"), keys["core id"]))
    return len(pairs) or None


def version_of(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def describe() -> list[str]:
    logical = os.cpu_count()
    physical = physical_cores()
    cores = f"{logical} logical" + (f", {physical} physical" if physical else "")
    try:
        usable = len(os.sched_getaffinity(0))
        cores += f", {usable} usable by this process"
    except AttributeError:
        pass
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    return [
        f"Machine:  {cpu_model()} ({cores})",
        f"Python:   {platform.python_implementation()} {platform.python_version()} on "
        f"{platform.system()} {platform.release()}; SQLite {sqlite3.sqlite_version}",
        f"Packages: falcon {version_of('falcon')}, waitress {version_of('waitress')}, "
        f"orjson {version_of('orjson')}, sqlite-utils {version_of('sqlite-utils')}, "
        f"datasette {version_of('datasette')}",
        f"Code:     core/ and plugins/ sources sha256 {code_fingerprint()}",
        f"Started:  {now}, load average {load_average()}",
    ]


def source_hashes() -> dict[str, str]:
    """sha256 of each product source file (core/, plugins/), by path."""
    paths = sorted([*REPO.glob("core/**/*.py"), *REPO.glob("plugins/**/*.py")])
    return {str(p.relative_to(REPO)): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def code_fingerprint(hashes: dict[str, str] | None = None) -> str:
    """One short hash of the product's sources, to tell whether they moved mid-run."""
    hashes = source_hashes() if hashes is None else hashes
    return hashlib.sha256(repr(sorted(hashes.items())).encode()).hexdigest()[:12]


def changed_sources(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def load_average() -> str:
    """The 1, 5 and 15 minute load averages: others' work on the machine shows here."""
    try:
        return " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "unknown"
