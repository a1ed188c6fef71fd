"""The digest as an email: a text part and an escaped HTML part, readable on a phone."""
import base64
from datetime import date, datetime, timezone
from html import escape

FOOT_MODEL = "Summaries were written by the fund's own model server; nothing left the fund."
FOOT_FALLBACK = ("Some summaries are the first sentences of the emails instead, because the "
                 "fund's model server {why}.")
FOOT_NO_SERVER = ("Summaries are the first sentences of the emails: no model server is "
                  "configured.")
FOOT_OFF = "Summaries are the first sentences of the emails (model summaries were turned off)."


def foot(digest) -> str | None:
    """What wrote the summaries; nothing on a day without any."""
    if not digest["people"]:
        return None
    if not digest["summarized"]:
        return FOOT_OFF if digest["model_server"]["available"] else FOOT_NO_SERVER
    return FOOT_FALLBACK.format(why=fallback_why(digest)) if digest["fallback"] else FOOT_MODEL


def fallback_why(digest) -> str:
    """Why some summaries are extracts, from the run's log, in the order first met."""
    why = []
    for entry in digest.get("log") or []:
        reason = entry.get("reason") or ""
        if entry.get("source") != "extractive" or not reason:
            continue
        said = ("wrote summaries that failed the checks (copied the emails, or named people "
                "or amounts not in them)" if reason.startswith("rejected by the guard") else
                "ran out of the run's time for summaries" if "s for model summaries" in reason
                else "did not answer")
        if said not in why:
            why.append(said)
    return " and ".join(why) or "did not answer"


def subject(digest) -> str:
    day = date.fromisoformat(digest["day"])
    people, investors = digest["people_count"], digest["investor_count"]
    return (f"CRM digest — {day:%a} {day.day} {day:%b %Y} — {people} "
            f"{'person' if people == 1 else 'people'}, {investors} "
            f"{'investor' if investors == 1 else 'investors'}")


def _local_time(sent_at, zone):
    moment = datetime.strptime(sent_at[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    return moment.astimezone(zone).strftime("%H:%M")


def _counts(messages):
    out = sum(1 for m in messages if m["direction"] == "out")
    return f"{len(messages)} email{'s' if len(messages) != 1 else ''}: {out} sent, " \
           f"{len(messages) - out} received"


def text(digest, zone) -> str:
    day = date.fromisoformat(digest["day"])
    lines = [f"CRM digest for {day:%A} {day.day} {day:%B %Y} ({digest['tz']})", ""]
    if not digest["people"]:
        lines.append("No email with investors was recorded that day.")
    for person in digest["people"]:
        lines.append(f"{person['user']} — {len(person['investors'])} investor(s)")
        for group in person["investors"]:
            lines.append(f"  {group['investor']} ({_counts(group['messages'])})")
            lines.append(f"    {group['summary']}")
            for m in group["messages"]:
                arrow = "→" if m["direction"] == "out" else "←"
                lines.append(f"    {_local_time(m['sent_at'], zone)} {arrow} "
                             f"{m['contact'] or m['contact_email'] or ''}: "
                             f"{m['subject'] or '(no subject)'}")
        lines.append("")
    for section in digest["sections"]:
        lines.append(section["title"])
        lines += [f"  • {item}" for item in section["items"]]
        if section.get("chart"):  # the image's text alternative
            lines.append(f"  {section['chart']['alt']}")
        lines.append("")
    if foot(digest):
        lines.append(foot(digest))
    return "\n".join(lines).rstrip() + "\n"


def inline_images(digest) -> list[tuple[str, bytes]]:
    """(content id, PNG) of each section's chart, for the HTML part's cid: references."""
    return [(f"chart{n}.digest@venture-crm", base64.b64decode(section["chart"]["png_base64"]))
            for n, section in enumerate(digest["sections"]) if section.get("chart")]


def _chart(section, n, cids) -> str:
    """A section's chart: by content id in a sent message, inline data in a preview."""
    chart = section["chart"]
    cid = f"chart{n}.digest@venture-crm"
    src = f"cid:{cid}" if cid in cids else f"data:image/png;base64,{chart['png_base64']}"
    return (f'<img src="{escape(src)}" alt="{escape(chart["alt"])}" width="{int(chart["width"])}"'
            f' height="{int(chart["height"])}" style="display:block;max-width:100%;height:auto">')


def html(digest, zone, cids=()) -> str:
    """The HTML part; `cids` are the content ids of the images sent with it (inline_images)."""
    day = date.fromisoformat(digest["day"])
    e = escape
    parts = ['<div style="font-family:-apple-system,Segoe UI,Roboto,sans-serif;max-width:640px;'
             'margin:0 auto;color:#1f2328;line-height:1.45">',
             f'<h2 style="font-size:20px;margin:0 0 4px">CRM digest</h2><p style="color:#57606a;'
             f'margin:0 0 16px">{day:%A} {day.day} {day:%B %Y} ({e(digest["tz"])})</p>']
    if not digest["people"]:
        parts.append("<p>No email with investors was recorded that day.</p>")
    for person in digest["people"]:
        parts.append(f'<h3 style="font-size:17px;border-bottom:1px solid #d0d7de;'
                     f'padding-bottom:4px">{e(person["user"])}</h3>')
        for group in person["investors"]:
            parts.append(f'<div style="margin:0 0 14px"><b>{e(group["investor"])}</b> '
                         f'<span style="color:#57606a">({e(_counts(group["messages"]))})</span>'
                         f'<p style="margin:4px 0">{e(group["summary"])}</p><ul style="margin:0;'
                         f'padding-left:18px;color:#57606a;font-size:14px">')
            for m in group["messages"]:
                arrow = "→" if m["direction"] == "out" else "←"
                who = m["contact"] or m["contact_email"] or ""
                parts.append(f'<li>{_local_time(m["sent_at"], zone)} {arrow} {e(who)}: '
                             f'{e(m["subject"] or "(no subject)")}</li>')
            parts.append("</ul></div>")
    for n, section in enumerate(digest["sections"]):
        parts.append(f'<h3 style="font-size:17px">{e(section["title"])}</h3><ul>')
        parts += [f"<li>{e(item)}</li>" for item in section["items"]]
        parts.append("</ul>")
        if section.get("chart"):
            parts.append(_chart(section, n, set(cids)))
    if foot(digest):
        parts.append(f'<p style="color:#57606a;font-size:13px;margin-top:24px">'
                     f'{e(foot(digest))}</p>')
    parts.append("</div>")
    return "".join(parts)
