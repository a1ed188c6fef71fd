"""What a day's digest says: per user, per investor, the emails and their substance."""
import logging
import re
from datetime import date, datetime, time, timedelta, timezone

from core.db import utc_text
from core.services import summarize_text, summarizer_status
from plugins.digest.guard import check
from plugins.fundraising.api import fundraising

log = logging.getLogger(__name__)
SUMMARY_CHARS = 1200

INSTRUCTIONS = (
    "You write for the partners of a venture fund. Summarize the emails between one of the "
    "fund's people and one investor in two or three plain sentences: what was discussed, any "
    "asks, commitments, amounts and next steps. Use only what the emails say. No preamble.")
SENTENCE = re.compile(r"(?<=[.!?])\s+")


_UTC = timezone.utc


def day_bounds(day: date, zone) -> tuple[str, str]:
    """The local day as [start, end) in UTC ISO text (23 or 25 hours on DST change days)."""
    def utc(d):
        return utc_text(datetime.combine(d, time(0), zone))
    return utc(day), utc(day + timedelta(days=1))


def activity(crm, start: str, end: str) -> list[dict]:
    """Approved email activity in [start, end), skipping archived investors and contacts,
    by user, investor name, then time."""
    rows = [dict(r) for r in crm.db.query(
        "SELECT e.user_id, u.name AS user_name, u.email AS user_email, e.investor_id, "
        "e.contact_id, e.direction, e.subject, e.excerpt, e.sent_at FROM email_activity e "
        "JOIN users u ON u.id = e.user_id "
        "WHERE e.deleted_at IS NULL AND e.sent_at >= ? AND e.sent_at < ?", [start, end])]
    api = fundraising(crm)
    investors = api.names("investors", [r["investor_id"] for r in rows], archived=False)
    contacts = {c.id: c for c in (api.find("contacts", i) for i in
                                  {r["contact_id"] for r in rows if r["contact_id"]}) if c}
    kept = []
    for row in rows:
        investor_id, contact_id = row["investor_id"], row.pop("contact_id")
        if (investor_id is not None and investor_id not in investors) or \
                (contact_id is not None and contact_id not in contacts):
            continue
        contact = contacts.get(contact_id)
        row.update(investor=investors.get(investor_id), contact=contact and contact.name,
                   contact_email=contact and contact.value("email"))
        kept.append(row)
    # as SQLite's ORDER BY u.name, u.id, i.name, e.sent_at: no investor name sorts first
    kept.sort(key=lambda r: (r["user_name"], r["user_id"], r["investor"] is not None,
                             r["investor"] or "", r["sent_at"]))
    return kept


def extract(messages) -> str:
    """The built-in summary: the first sentence of each excerpt, without repeats."""
    seen, parts = set(), []
    for m in messages:
        text = (m["excerpt"] or "").strip()
        first = SENTENCE.split(text, 1)[0].strip() if text else ""
        if len(first) > 220:
            first = first[:219].rstrip() + "…"
        candidate = first or (f"“{m['subject']}”" if m["subject"] else "")
        if candidate and candidate.casefold() not in seen:
            seen.add(candidate.casefold())
            parts.append(candidate)
    return " ".join(parts) or f"{len(messages)} email(s), no content shared."


def prompt(user_name, investor, messages, zone) -> str:
    lines = [f"Emails between {user_name} (the fund) and {investor}:"]
    for m in messages:
        when = datetime.strptime(m["sent_at"][:19], "%Y-%m-%dT%H:%M:%S").replace(
            tzinfo=_UTC).astimezone(zone)
        arrow = f"{user_name} → {m['contact'] or investor}" if m["direction"] == "out" else \
            f"{m['contact'] or investor} → {user_name}"
        lines.append(f"\n[{when:%Y-%m-%d %H:%M}] {arrow}\nSubject: {m['subject'] or '(none)'}\n"
                     f"{m['excerpt'] or '(no excerpt shared)'}")
    return "\n".join(lines)


def sources(user_name, group) -> list[str]:
    """What a summary may draw on: names, subjects and excerpts of the group's emails."""
    texts = [user_name or "", group["investor"] or ""]
    for m in group["messages"]:
        texts += [m["contact"] or "", m["subject"] or "", m["excerpt"] or ""]
    return texts


def build_digest(crm, day: date, zone, summarize=True) -> dict:
    """The digest of `day`: people → investors → summary and messages, plus other sections."""
    start, end = day_bounds(day, zone)
    available, detail = summarizer_status(crm)
    # a call is counted only when one is made: none when turned off or nothing to call
    asked = summarize and available
    people, calls, fallback, rejected = {}, 0, False, 0
    for row in activity(crm, start, end):
        person = people.setdefault(row["user_id"], {"user": row["user_name"],
                                                    "email": row["user_email"], "investors": {}})
        key = row["investor_id"] or f"contact:{row['contact_email']}"
        group = person["investors"].setdefault(key, {
            "investor": row["investor"] or row["contact"] or "Unknown investor",
            "messages": []})
        group["messages"].append(row)
    for person in people.values():
        for group in person["investors"].values():
            summary = None
            if asked:
                calls += 1
                summary = summarize_text(crm, prompt(person["user"], group["investor"],
                                                     group["messages"], zone), INSTRUCTIONS)
            if summary is not None:
                group["guard"] = check(summary, sources(person["user"], group), SUMMARY_CHARS)
                if group["guard"]:
                    log.info("digest summary for %s replaced: %s", group["investor"],
                             group["guard"])
                    rejected += 1
                    summary = None
            group["fallback"] = summary is None
            fallback |= group["fallback"]
            group["summary"] = summary or extract(group["messages"])
        person["investors"] = list(person["investors"].values())
    sections = [s for group in crm.pm.hook.digest_sections(crm=crm, start=start, end=end,
                                                            day=day) for s in group or []]
    investors = {g["investor"] for p in people.values() for g in p["investors"]}
    return {"day": day.isoformat(), "tz": str(zone), "start": start, "end": end,
            "people": list(people.values()), "people_count": len(people),
            "investor_count": len(investors), "sections": [s for s in sections if s["items"]],
            "model_calls": calls, "rejected": rejected, "fallback": fallback, "summarized": asked,
            "model_server": {"available": available, "detail": detail}}
