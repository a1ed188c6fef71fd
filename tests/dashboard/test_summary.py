"""The stage movements kept on write (moves.py) equal the exact query over the history, across
edits, batch edits, backdated entries, renames, archive and restore, and a rebuild."""
from plugins.dashboard import cards, moves
from plugins.fundraising.api import fundraising
from tests.dashboard.test_movements import _seed
from tests.dashboard.views import big_view

WEEKS = 30


def _exact(crm, where="1", params=()):
    stage = fundraising(crm).field("investors", "stage")
    return cards.movements_exact(crm.db, WEEKS, stage.id, stage.name, where, params)


def _same(crm, where=None, params=()):
    kept = cards.movements(crm.db, WEEKS, where, params)
    assert kept == _exact(crm, "1" if where is None else where, params)
    return sum(m["count"] for w in kept["weeks"] for m in w["moves"])


def _stage_batch(client, admin, crm, records, stage):
    field = fundraising(crm).field("investors", "stage")
    body = {"updates": [{"id": r.id, "expected_version": fundraising(crm).get(
        "investors", r.id).version, "fields": {field.name: stage}} for r in records]}
    response = client.post("/api/fundraising/investors/batch", json=body,
                           headers=admin["headers"])
    assert response.status_code == 200, response.text


def test_kept_counts_equal_the_exact_query(crm, client, admin, member):
    investors, _, _ = _seed(crm, client, admin)
    api = fundraising(crm)
    first = _same(crm)
    assert first > 0
    _stage_batch(client, admin, crm, investors[:4], "Diligence")  # one write, four moves
    assert _same(crm) == first + sum(
        1 for r in investors[:4] if r.value("stage") != "Diligence")
    api.update("investors", investors[5].id, {"check_size": 7e6}, admin["id"])  # not a move
    with_edits = _same(crm)
    gone = investors[6]
    api.archive("investors", gone.id, admin["id"])
    archived = _same(crm)
    assert archived < with_edits  # investors[6] moved in _seed (rng 11): its moves leave
    restored = client.post(f"/api/fundraising/investors/{gone.id}/restore",
                           headers=admin["headers"])
    assert restored.status_code == 200, restored.text
    assert _same(crm) == with_edits
    view, kept = big_view(crm, member, [api.get("investors", r.id) for r in investors])
    where, params = api.view_where("investors", view["id"], member)
    assert 0 < _same(crm, where, params) < with_edits
    with crm.write() as db:  # an entry moved to another week moves its count
        db.execute("UPDATE audit_log SET at = '2000-01-03T00:00:00Z' WHERE id = (SELECT "
                   "MAX(audit_id) FROM dashboard_stage_moves)")
    assert _same(crm) == with_edits - 1


def test_rebuild_from_history_equals_the_kept_counts(crm, client, admin):
    _seed(crm, client, admin)
    before = crm.db.execute("SELECT * FROM dashboard_stage_weeks ORDER BY 1, 2, 3").fetchall()
    moved = crm.db.execute("SELECT * FROM dashboard_stage_moves ORDER BY 1").fetchall()
    assert before and moved
    with crm.write() as db:
        moves.rebuild(db)
    assert crm.db.execute("SELECT * FROM dashboard_stage_weeks ORDER BY 1, 2, 3"
                          ).fetchall() == before
    assert crm.db.execute("SELECT * FROM dashboard_stage_moves ORDER BY 1").fetchall() == moved
