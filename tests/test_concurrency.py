"""Many clients writing at once over HTTP to the real server: no lost update, no lock error."""
import json
import os
import random
import threading
import urllib.error
import urllib.request

import pytest

from tests.web.conftest import running_server

pytestmark = pytest.mark.drill

CLIENTS = 20
WRITES = int(os.environ.get("CONCURRENCY_WRITES", "25"))  # per client; 500 for the full drill
RECORDS = 10


def request(base, token, method, path, body=None):
    req = urllib.request.Request(base + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None)
    req.add_header("Content-Type", "application/json")
    req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


@pytest.fixture(params=[1, 2], ids=["one process", "two worker processes"])
def web_server(request, tmp_path):
    """The real server, as one process and as two workers that share the database."""
    with running_server(tmp_path, workers=request.param) as server:
        yield server


def test_concurrent_read_modify_write(web_server):
    base, token = web_server.base_url, web_server.tokens["ada@fund.example"]
    ids = [request(base, token, "POST", "/api/fundraising/investors",
                   {"name": f"LP {i}", "fields": {"Check Size": 0}})[1]["id"]
           for i in range(RECORDS)]
    wins = {i: 0 for i in ids}
    problems, lock = [], threading.Lock()

    def client(seed):
        rng = random.Random(seed)
        for _ in range(WRITES):
            record_id = rng.choice(ids)
            while True:
                status, record = request(base, token, "GET", f"/api/fundraising/investors/{record_id}")
                if status != 200:
                    problems.append(("GET", status, record))
                    return
                size = record["fields"]["Check Size"] + 1
                status, answer = request(base, token, "PATCH",
                                         f"/api/fundraising/investors/{record_id}",
                                         {"expected_version": record["version"],
                                          "fields": {"Check Size": size}})
                if status == 200:
                    with lock:
                        wins[record_id] += 1
                    break
                if status == 409:
                    error = answer["error"]
                    if error["code"] != "version_conflict" or \
                            error["current_version"] <= record["version"]:
                        problems.append(("409", error))
                    continue  # someone else won; read again and retry
                problems.append(("PATCH", status, answer))
                return

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert problems == []
    assert sum(wins.values()) == CLIENTS * WRITES
    for record_id in ids:
        record = request(base, token, "GET", f"/api/fundraising/investors/{record_id}")[1]
        # every successful write is there: no update was lost, and each has its history entry
        assert record["fields"]["Check Size"] == wins[record_id]
        assert record["version"] == 1 + wins[record_id]
        updates, offset = 0, 0
        while True:  # history comes in pages of at most 1000
            page = request(base, token, "GET", f"/api/fundraising/investors/{record_id}/"
                                               f"history?limit=1000&offset={offset}")[1]
            updates += sum(1 for e in page["entries"] if e["kind"] == "update")
            offset += len(page["entries"])
            if len(page["entries"]) < 1000:
                break
        assert updates == wins[record_id]


def test_batches_mixed_with_single_edits_lose_nothing(web_server):
    """Half the clients add 1 to one record with PATCH, the others to two or three records at
    once with a batch; every win is counted once in every record it names, with its history."""
    base, token = web_server.base_url, web_server.tokens["ada@fund.example"]
    made = request(base, token, "POST", "/api/fundraising/investors/batch", {"creates": [
        {"name": f"LP {i}", "fields": {"Check Size": 0}} for i in range(RECORDS)]})[1]
    ids = [r["id"] for r in made["creates"]]
    wins = {i: 0 for i in ids}
    problems, lock = [], threading.Lock()

    def read(record_id):
        return request(base, token, "GET", f"/api/fundraising/investors/{record_id}")[1]

    def client(seed):
        rng = random.Random(seed)
        for _ in range(WRITES):
            chosen = rng.sample(ids, 1 if seed % 2 else rng.choice([2, 3]))
            while True:
                records = [read(i) for i in chosen]
                updates = [{"id": r["id"], "expected_version": r["version"],
                            "fields": {"Check Size": r["fields"]["Check Size"] + 1}}
                           for r in records]
                if len(updates) == 1:
                    status, answer = request(base, token, "PATCH",
                                             f"/api/fundraising/investors/{chosen[0]}",
                                             {k: v for k, v in updates[0].items() if k != "id"})
                else:
                    status, answer = request(base, token, "POST",
                                             "/api/fundraising/investors/batch",
                                             {"updates": updates})
                if status == 200:
                    with lock:
                        for record_id in chosen:
                            wins[record_id] += 1
                    break
                if status != 409:
                    problems.append((status, answer))
                    return

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert problems == []
    for record_id in ids:
        record = read(record_id)
        assert record["fields"]["Check Size"] == wins[record_id]
        assert record["version"] == 1 + wins[record_id]
