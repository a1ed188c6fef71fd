"""Driving Debian's `wrk` with a generated Lua script: the script picks the requests, counts
non-2xx answers and prints one machine-readable line from `done()` (requests, duration,
bytes, latency p50/p99, socket errors), which becomes a WrkResult.

The bearer token is never in wrk's argv: it is written into the script (mode 0600, removed
when wrk exits) and wrk gets only the script's path.
"""
import os
import re
import subprocess
from dataclasses import dataclass
from itertools import count

import orjson

WRK_TIMEOUT = "10s"  # a response slower than this counts as a socket error (timeout)
RESULT = re.compile(r"^BENCH-WRK (.*)$", re.M)


@dataclass
class WrkResult:
    requests: int
    seconds: float
    nbytes: int
    p50: float  # seconds
    p99: float
    non2xx: int
    socket_errors: int
    statuses: str  # non-2xx statuses as "409 x3, 500 x1"
    server_cpu: float | None = None  # the server process's user + sys seconds in the run
    p90: float = 0.0  # seconds
    slowest: float = 0.0  # seconds

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        return self.non2xx + self.socket_errors


# --- Lua --------------------------------------------------------------------------------

def lua_str(text: str) -> str:
    if any(ord(c) < 32 for c in text):
        raise ValueError("control characters in a Lua string")
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def lua_list(values) -> str:
    return "{" + ",".join(values) + "}"


# Thread numbering, non-2xx counting and the result line; every script has it.
LUA_COMMON = r"""
local threads, next_tid = {}, 1

function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
  table.insert(threads, thread)
end

non2xx, statuses = 0, ""
local bad = {}

local function tally(status)
  if status >= 200 and status < 300 then
    return true
  end
  non2xx = non2xx + 1
  bad[status] = (bad[status] or 0) + 1
  local parts = {}
  for code, n in pairs(bad) do
    parts[#parts + 1] = code .. "x" .. n
  end
  statuses = table.concat(parts, ",")
  return false
end

function done(summary, latency, requests)
  local bad_total, codes = 0, {}
  for _, thread in ipairs(threads) do
    bad_total = bad_total + thread:get("non2xx")
    local s = thread:get("statuses")
    if s ~= "" then
      codes[#codes + 1] = s
    end
  end
  local e = summary.errors
  io.write(string.format(
    "BENCH-WRK requests=%d duration_us=%d bytes=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d " ..
    "connect=%d read=%d write=%d timeout=%d non2xx=%d statuses=%s\n",
    summary.requests, summary.duration, summary.bytes, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.max, e.connect, e.read, e.write,
    e.timeout, bad_total,
    #codes > 0 and table.concat(codes, ";") or "-"))
end
"""

# GETs of `paths` in turn; each thread starts at its own place in the list.
LUA_GET = r"""
local prepared, pos = {}, 1

function init(args)
  for k, path in ipairs(paths) do
    prepared[k] = wrk.format("GET", path)
  end
  pos = math.floor((tid - 1) * #prepared / nthreads) + 1
end

function request()
  local r = prepared[pos]
  pos = pos % #prepared + 1
  return r
end

function response(status, headers, body)
  tally(status)
end
"""

# PATCHes of one field: thread t takes ids[t], ids[t + nthreads], ... round and round, so an
# id comes back only after many other requests, when its last response (whose version is
# the next expected_version) has long arrived.
LUA_PATCH = r"""
local version_of, pos, counter = {}, 1, 0

function init(args)
  for k, id in ipairs(ids) do
    version_of[id] = versions[k]
  end
  pos = tid
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  local id = ids[pos]
  pos = pos + nthreads
  if pos > #ids then
    pos = tid
  end
  counter = counter + 1
  local body = string.format('{"expected_version":%d,"fields":{%s:%d}}', version_of[id],
                             field_json, value_base + counter * nthreads + tid)
  return wrk.format("PATCH", record_path .. id, nil, body)
end

function response(status, headers, body)
  if tally(status) then
    local id, version = string.match(body, '^{"id":(%d+),"version":(%d+)')
    if id then
      version_of[tonumber(id)] = tonumber(version)
    end
  end
end
"""


def get_script(token, paths, nthreads) -> str:
    head = [f"nthreads = {nthreads}", f"paths = {lua_list(lua_str(p) for p in paths)}"]
    return _script(token, head, LUA_GET)


def patch_script(token, ids, versions, field_name, value_base, nthreads,
                 record_path) -> str:
    head = [f"nthreads = {nthreads}", f"ids = {lua_list(str(i) for i in ids)}",
            f"versions = {lua_list(str(versions[i]) for i in ids)}",
            f"field_json = {lua_str(orjson.dumps(field_name).decode())}",
            f"value_base = {value_base}", f"record_path = {lua_str(record_path)}"]
    return _script(token, head, LUA_PATCH)


def _script(token, head, body) -> str:
    lines = ["-- Written by bench/wrk.py for one wrk run; removed after it."]
    if token:
        lines.append(f'wrk.headers["Authorization"] = {lua_str("Bearer " + token)}')
    return "\n".join(lines + head) + "\n" + LUA_COMMON + body


class Wrk:
    """Runs wrk with a generated script: warm-up, then the measured run."""

    def __init__(self, binary, folder, sizes):
        self.binary, self.folder, self.sizes = binary, folder, sizes
        self._numbers = count(1)
        self.warmup = None  # the last warm-up run's result

    @property
    def shape(self) -> str:
        s = self.sizes
        return f"wrk -t{s.api_threads} -c{s.api_connections} -d{s.api_seconds}s"

    def measure(self, server, make_script) -> WrkResult:
        """A warm-up run, then the measured one against `server` (a CrmServer or
        DatasetteServer); `make_script(warmup)` gives the Lua text and is called right before
        each run (so it can read fresh state)."""
        self.warmup = self.once(server.port, make_script(True), self.sizes.api_warmup_seconds)
        text = make_script(False)
        pids = server.pids() if hasattr(server, "pids") else [server._process.pid]
        before = [process_cpu(pid) for pid in pids]
        result = self.once(server.port, text, self.sizes.api_seconds)
        after = [process_cpu(pid) for pid in pids]
        if None not in before and None not in after:
            result.server_cpu = sum(after) - sum(before)
        return result

    def once(self, port, text, seconds) -> WrkResult:
        return self.start(port, text, seconds).result()

    def start(self, port, text, seconds) -> "WrkRun":
        """wrk started in the background (for a load beside a measured one)."""
        path = self.folder / f"wrk-{next(self._numbers)}.lua"
        # Owner-only from the start: the script may hold the bearer token.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        s = self.sizes
        command = [self.binary, f"-t{s.api_threads}", f"-c{s.api_connections}",
                   f"-d{seconds}s", "--timeout", WRK_TIMEOUT, "-s", str(path),
                   f"http://127.0.0.1:{port}/"]
        try:
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       text=True, stdin=subprocess.DEVNULL)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return WrkRun(process, path, seconds + 120)


class WrkRun:
    """One wrk process; result() waits for it and parses its line."""

    def __init__(self, process, script, timeout):
        self.process, self.script, self.timeout = process, script, timeout

    def result(self) -> WrkResult:
        try:
            stdout, stderr = self.process.communicate(timeout=self.timeout)
        except BaseException:
            self.process.kill()
            self.process.communicate()
            raise
        finally:
            self.script.unlink(missing_ok=True)
        found = RESULT.search(stdout)
        if self.process.returncode != 0 or not found:
            raise RuntimeError(f"wrk failed ({self.process.returncode}): {stderr[-1000:]}"
                               f"{stdout[-1000:]}")
        return parse_result(found.group(1))


def process_cpu(pid) -> float | None:
    """User + system CPU seconds of a process (all its threads) so far; None off Linux."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def parse_result(line: str) -> WrkResult:
    v = dict(pair.split("=", 1) for pair in line.split())
    codes = {}
    for part in re.findall(r"\d+x\d+", v["statuses"]):  # per thread: "409x3,500x1;409x2"
        code, n = part.split("x")
        codes[code] = codes.get(code, 0) + int(n)
    return WrkResult(requests=int(v["requests"]), seconds=int(v["duration_us"]) / 1e6,
                     nbytes=int(v["bytes"]), p50=int(v["p50_us"]) / 1e6,
                     p99=int(v["p99_us"]) / 1e6, non2xx=int(v["non2xx"]),
                     p90=int(v["p90_us"]) / 1e6, slowest=int(v["max_us"]) / 1e6,
                     socket_errors=sum(int(v[k]) for k in ("connect", "read", "write",
                                                            "timeout")),
                     statuses=", ".join(f"{c} x{n}" for c, n in sorted(codes.items())))
