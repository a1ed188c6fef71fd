"""What a day's digest says: per user, per investor, the emails and their substance."""
import logging
import re
import threading
from datetime import date, datetime, time, timedelta, timezone
from time import monotonic

from core.db import utc_text
from core.services import summarize_text, summarizer_status
from plugins.digest.guard import check
from plugins.fundraising.api import fundraising

log = logging.getLogger(__name__)
SUMMARY_CHARS = 1200
# the time a run's model summaries may take in all (DIGEST_SUMMARY_SECONDS when the digest
# settings have it): past it the remaining groups get the extractive summary, marked
SUMMARY_SECONDS = 600.0

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


class _Notes(logging.Handler):
    """The warnings one thread logs while it summarizes: why no summary came back, in the
    summarizer's own words (never a server's error text: see plugins/spark)."""

    def __init__(self, thread_id):
        super().__init__(logging.WARNING)
        self.thread_id, self.messages = thread_id, []

    def emit(self, record):
        if record.thread == self.thread_id:
            self.messages.append(record.getMessage())


def _ask(crm, text: str, deadline: float) -> tuple[str | None, list[str], bool]:
    """(summary, notes, late): summarize_text on a worker thread, waited for until `deadline`
    (a monotonic time). Past it the worker is left to finish alone and its answer dropped."""
    box = {"summary": None, "notes": []}

    def work():
        notes = _Notes(threading.get_ident())
        root = logging.getLogger()
        root.addHandler(notes)
        try:
            box["summary"] = summarize_text(crm, text, INSTRUCTIONS)
        except Exception as exc:  # a summarizer's failure is one extractive summary
            log.warning("the summarizer failed (%s)", type(exc).__name__)
        finally:
            root.removeHandler(notes)
            box["notes"] = notes.messages
    worker = threading.Thread(target=work, name="digest-summary", daemon=True)
    worker.start()
    worker.join(max(0.0, deadline - monotonic()))
    if worker.is_alive():
        return None, [], True
    return box["summary"], box["notes"], False


def summary_budget(crm) -> float:
    try:
        settings = crm.plugin_settings("digest")
    except KeyError:
        return SUMMARY_SECONDS
    return float(getattr(settings, "summary_seconds", SUMMARY_SECONDS))


def build_digest(crm, day: date, zone, summarize=True, budget: float | None = None) -> dict:
    """The digest of `day`: people → investors → summary and messages, plus other sections.

    Each (user, investor) group's summary is the model's or the extractive one; `log` says
    which and why, one entry per group. The model summaries of a run take at most `budget`
    seconds in all (default DIGEST_SUMMARY_SECONDS, else SUMMARY_SECONDS)."""
    start, end = day_bounds(day, zone)
    available, detail = summarizer_status(crm)
    # a call is counted only when one is made: none when turned off or nothing to call
    asked = summarize and available
    budget = summary_budget(crm) if budget is None else budget
    began = monotonic()
    deadline = began + budget
    people, calls, fallback, rejected, entries = {}, 0, False, 0, []
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
            summary, reason = None, None
            if not summarize:
                reason = "model summaries turned off"
            elif not available:
                reason = detail
            elif monotonic() >= deadline:
                reason = f"the run's {budget:g} s for model summaries was spent"
            else:
                calls += 1
                summary, notes, late = _ask(crm, prompt(person["user"], group["investor"],
                                                        group["messages"], zone), deadline)
                if late:
                    reason = (f"the run's {budget:g} s for model summaries ran out while the "
                              "model was answering")
                elif summary is None:
                    reason = notes[-1] if notes else "the model server gave no summary"
                elif notes:
                    group["note"] = notes[-1]
            if summary is not None:
                group["guard"] = check(summary, sources(person["user"], group), SUMMARY_CHARS)
                if group["guard"]:
                    reason = f"rejected by the guard: {group['guard']}"
                    rejected += 1
                    summary = None
            group["fallback"] = summary is None
            group["source"] = "extractive" if group["fallback"] else "model"
            group["reason"] = reason
            fallback |= group["fallback"]
            group["summary"] = summary or extract(group["messages"])
            entry = {"user": person["user"], "investor": group["investor"],
                     "source": group["source"], "reason": reason}
            if group.get("note"):
                entry["note"] = group["note"]
            entries.append(entry)
            log.info("digest %s, %s / %s: %s summary%s", day, person["user"], group["investor"],
                     group["source"], f" ({reason})" if reason else "")
        person["investors"] = list(person["investors"].values())
    sections = [s for group in crm.pm.hook.digest_sections(crm=crm, start=start, end=end,
                                                            day=day) for s in group or []]
    investors = {g["investor"] for p in people.values() for g in p["investors"]}
    return {"day": day.isoformat(), "tz": str(zone), "start": start, "end": end,
            "people": list(people.values()), "people_count": len(people),
            "investor_count": len(investors), "sections": [s for s in sections if s["items"]],
            "model_calls": calls, "rejected": rejected, "fallback": fallback, "summarized": asked,
            "summary_seconds": round(monotonic() - began, 3), "summary_budget": budget,
            "log": entries, "model_server": {"available": available, "detail": detail}}
