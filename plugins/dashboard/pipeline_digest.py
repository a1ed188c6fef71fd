"""The digest's "Pipeline since yesterday" section: the day's stage moves and new commitments
as text, and a small bar chart of the moves (PNG drawn on the server by matplotlib, Agg)."""
import base64
import io

from plugins.dashboard.cards import live_investor

TITLE = "Pipeline since yesterday"
TOP = 8  # from -> to pairs drawn in the chart


def day_moves(db, start: str, end: str) -> list[tuple]:
    """(from, to, count) of live investors' Stage changes made in [start, end), most first."""
    return db.execute(
        "SELECT m.src, m.dst, COUNT(*) FROM audit_log a JOIN dashboard_stage_moves m "
        "ON m.audit_id = a.id WHERE a.plugin = 'fundraising' AND a.at >= ? AND a.at < ? AND "
        + live_investor("m.investor_id") +
        " GROUP BY m.src, m.dst ORDER BY COUNT(*) DESC, m.src, m.dst", [start, end]).fetchall()


def day_commitments(db, start: str, end: str) -> list[tuple]:
    """(fund name, count, amount) of the live commitments created in [start, end), by fund."""
    return db.execute(
        "SELECT COALESCE(f.name, ''), COUNT(*), COALESCE(SUM(c.amount), 0) "
        "FROM fundraising_commitments c LEFT JOIN fundraising_funds f ON f.id = c.fund_id "
        "WHERE c.deleted_at IS NULL AND c.created_at >= ? AND c.created_at < ? AND "
        + live_investor("c.investor_id") +
        " GROUP BY c.fund_id ORDER BY SUM(c.amount) DESC, f.name", [start, end]).fetchall()


def money(amount) -> str:
    return f"${amount:,.0f}"


def _stage(name) -> str:
    return "(none)" if name is None else str(name)


def chart_png(moves: list[tuple]) -> bytes:
    """A horizontal bar per from -> to pair (the TOP most frequent), 480 x 200 px."""
    import matplotlib
    matplotlib.use("Agg")  # no display: drawn into memory
    from matplotlib.figure import Figure

    shown = list(reversed(moves[:TOP]))  # the most frequent on top
    figure = Figure(figsize=(4.8, 2.0), dpi=100)
    axes = figure.add_subplot()
    axes.barh([f"{_stage(s)} → {_stage(d)}" for s, d, _ in shown], [n for _, _, n in shown],
              color="#0969da")
    axes.set_xlabel("stage moves")
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.tick_params(labelsize=8)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()


def section(db, start: str, end: str) -> dict | None:
    """The section, or None on a day without a move or a new commitment."""
    moves, commitments = day_moves(db, start, end), day_commitments(db, start, end)
    if not moves and not commitments:
        return None
    moved = sum(n for _, _, n in moves)
    items = [f"{moved} stage move{'s' if moved != 1 else ''}"] if moves else []
    items += [f"{_stage(s)} → {_stage(d)}: {n}" for s, d, n in moves]
    if commitments:
        count, amount = sum(c for _, c, _ in commitments), sum(a for _, _, a in commitments)
        items.append(f"{count} new commitment{'s' if count != 1 else ''}: {money(amount)}")
        items += [f"{name or '(no fund)'}: {c} for {money(a)}" for name, c, a in commitments]
    result = {"title": TITLE, "items": items}
    if moves:
        alt = "Chart of the stage moves: " + ", ".join(
            f"{_stage(s)} → {_stage(d)} {n}" for s, d, n in moves[:TOP])
        result["chart"] = {"png_base64": base64.b64encode(chart_png(moves)).decode(),
                           "alt": alt, "width": 480, "height": 200}
    return result
