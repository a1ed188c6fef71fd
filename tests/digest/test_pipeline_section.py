"""The dashboard's "Pipeline since yesterday" digest section (hook digest_sections): the day's
stage moves and new commitments as text, and a chart sent inline with the HTML part."""
import base64
from html import escape
from collections import Counter, defaultdict
from datetime import datetime, timezone

from core import hookimpl
from core.plugin_types import DeliveryResult
from plugins.digest.send import send_digest_for_day
from plugins.fundraising.api import fundraising
from tests.conftest import add_user


class Outbox:
    """Takes every email in process, as a delivery plugin would."""

    def __init__(self):
        self.sent = []

    @hookimpl(tryfirst=True)
    def deliver_email(self, crm, message):
        self.sent.append(message)
        return DeliveryResult(ok=True, transport="test", message_id=f"<m{len(self.sent)}@t>")


def _seed(crm, uid):
    """Stage moves and commitments made today; the last investor is archived afterwards."""
    api = fundraising(crm)
    stages = api.field("investors", "stage").options["choices"]
    investors = [api.create("investors", {"name": f"I{n}", "stage": stages[0]}, uid)
                 for n in range(6)]
    funds = [api.create("funds", {"name": f"Fund {n}", "target_size": 1e7}, uid) for n in (1, 2)]
    moves, commitments = [], []
    for n, record in enumerate(investors):
        path = stages[1:2 + n % 3]  # one to three moves each
        before = stages[0]
        for stage in path:
            api.update("investors", record.id, {"stage": stage}, uid)
            moves.append((record.id, before, stage))
            before = stage
        amount = 250_000.0 * (n + 1)
        api.create("commitments", {"name": f"C{n}", "investor": record.id,
                                   "fund": funds[n % 2].id, "amount": amount}, uid)
        commitments.append((record.id, funds[n % 2].name, amount))
    gone = api.archive("investors", investors[-1].id, uid).id
    return ([m for m in moves if m[0] != gone], [c for c in commitments if c[0] != gone])


def test_digest_sections_pipeline_chart_inline(make_crm, digest_env):
    outbox = Outbox()
    crm = make_crm(extra_plugins={"outbox": outbox})
    admin = add_user(crm, "ada@fund.example", "admin", "Ada Admin")
    moves, commitments = _seed(crm, admin["id"])
    send_digest_for_day(crm, datetime.now(timezone.utc).date(), force=True)
    [message] = outbox.sent

    pairs = Counter((src, dst) for _, src, dst in moves)
    by_fund = defaultdict(lambda: [0, 0.0])
    for _, fund, amount in commitments:
        by_fund[fund][0] += 1
        by_fund[fund][1] += amount
    total = sum(a for _, _, a in commitments)
    want = [f"{len(moves)} stage moves",
            *[f"{s} → {d}: {n}" for (s, d), n in sorted(pairs.items(),
                                                       key=lambda p: (-p[1], p[0]))],
            f"{len(commitments)} new commitments: ${total:,.0f}",
            *[f"{fund}: {c} for ${a:,.0f}" for fund, (c, a) in sorted(
                by_fund.items(), key=lambda f: (-f[1][1], f[0]))]]
    text = message.text.split("Pipeline since yesterday\n", 1)[1]
    assert text.splitlines()[:len(want)] == [f"  • {item}" for item in want]
    alt = "Chart of the stage moves: " + ", ".join(
        f"{s} → {d} {n}" for (s, d), n in sorted(pairs.items(), key=lambda p: (-p[1], p[0])))
    assert text.splitlines()[len(want)] == f"  {alt}"  # the chart's text alternative

    [(cid, png)] = message.inline
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000
    assert f'src="cid:{cid}"' in message.html and "data:image" not in message.html
    assert all(f"<li>{escape(item)}</li>" in message.html for item in want)
    assert alt in message.html  # as the image's alt text


def test_preview_shows_the_chart_inline_as_data(make_crm, digest_env):
    from plugins.digest.preview import preview_digest
    crm = make_crm()
    admin = add_user(crm, "ada@fund.example", "admin", "Ada Admin")
    _seed(crm, admin["id"])
    preview = preview_digest(crm, datetime.now(timezone.utc).date(), summarize=False)
    [section] = [s for s in preview["sections"] if s["title"] == "Pipeline since yesterday"]
    png = base64.b64decode(section["chart"]["png_base64"])
    assert png.startswith(b"\x89PNG")
    assert f'src="data:image/png;base64,{section["chart"]["png_base64"]}"' in preview["html"]


def test_no_pipeline_section_on_a_quiet_day(make_crm, digest_env):
    crm = make_crm()
    add_user(crm, "ada@fund.example", "admin", "Ada Admin")
    from plugins.digest.preview import preview_digest
    preview = preview_digest(crm, datetime.now(timezone.utc).date(), summarize=False)
    assert all(s["title"] != "Pipeline since yesterday" for s in preview["sections"])
    assert "<img" not in preview["html"]
