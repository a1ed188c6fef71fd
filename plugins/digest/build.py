"""What a day's digest says: per user, per investor, the emails and their substance."""
import re
from datetime import date, datetime, time, timedelta, timezone

from core.services import summarize_text, summarizer_status

INSTRUCTIONS = (
    "You write for the partners of a venture fund. Summarize the emails between one of the "
    "fund's people and one investor in two or three plain sentences: what was discussed, any "
    "asks, commitments, amounts and next steps. Use only what the emails say. No preamble.")
SENTENCE = re.compile(r"(?<=[.!?])\s+")


_UTC = timezone.utc


def day_bounds(day: date, zone) -> tuple[str, str]:
    """The local day as [start, end) in UTC ISO text (23 or 25 hours on DST change days)."""
    def utc(d):
        moment = datetime.combine(d, time(0), zone).astimezone(_UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.000000Z")
    return utc(day), utc(day + timedelta(days=1))


def activity(db, start: str, end: str) -> list[dict]:
    """Approved email activity in [start, end), skipping archived investors and contacts."""
    rows = db.query(
        "SELECT e.user_id, u.name AS user_name, u.email AS user_email, e.investor_id, "
        "i.name AS investor, c.name AS contact, c.email AS contact_email, e.direction, "
        "e.subject, e.excerpt, e.sent_at FROM email_activity e "
        "JOIN users u ON u.id = e.user_id "
        "LEFT JOIN fundraising_investors i ON i.id = e.investor_id "
        "LEFT JOIN fundraising_contacts c ON c.id = e.contact_id "
        "WHERE e.deleted_at IS NULL AND e.sent_at >= ? AND e.sent_at < ? "
        "AND (e.investor_id IS NULL OR i.deleted_at IS NULL) "
        "AND (e.contact_id IS NULL OR c.deleted_at IS NULL) "
        "ORDER BY u.name, u.id, i.name, e.sent_at", [start, end])
    return [dict(r) for r in rows]


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


def build_digest(crm, day: date, zone, summarize=True) -> dict:
    """The digest of `day`: people → investors → summary and messages, plus other sections."""
    start, end = day_bounds(day, zone)
    available, detail = summarizer_status(crm)
    # a call is counted only when one is made: none when turned off or nothing to call
    asked = summarize and available
    people, calls, fallback = {}, 0, False
    for row in activity(crm.db, start, end):
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
            "model_calls": calls, "fallback": fallback, "summarized": asked,
            "model_server": {"available": available, "detail": detail}}
