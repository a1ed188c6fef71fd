""""Draft a follow-up": Spark, the fund's own model server (through the summarize_text hook,
never a cloud model), drafts an email from a record's recent approved emails, notes and tasks.
The draft is checked (draft_guard) and returned for the person to edit; nothing is stored
until they save it as a Gmail draft."""
import logging

import falcon

from core.email_text import cut, own_lines
from core.errors import APIError, not_found, unprocessable
from core.services import summarize_text, summarizer_status
from plugins.fundraising.api import fundraising
from plugins.gmail.draft_guard import check
from plugins.gmail.drafts import check_contact_on_record

log = logging.getLogger(__name__)
KINDS = {"email", "note", "task"}
RECENT = 20               # newest entries of each kind read from the timeline
PER_SOURCE_CHARS = 600    # one email, note or task, after quotes and signatures go
SOURCE_CHARS = 4000       # all of them: about 1,300 tokens, room for the answer in a 2k window
DRAFT_CHARS = 2500


def _trim(text: str) -> str:
    """The text's own words on one line (quoted replies and signature gone), then cut."""
    text = " ".join(line.strip() for line in own_lines(text) if line.strip())
    return cut(text, PER_SOURCE_CHARS)


def _line(entry: dict, names: dict) -> str:
    day = (entry.get("at") or "")[:10]
    if entry["kind"] == "email":
        who = "from" if entry.get("direction") == "in" else "to"
        return (f"Email {who} the investor, {day}, by {names.get(entry.get('actor'), 'the team')}"
                f": {entry.get('subject') or '(no subject)'}. {_trim(entry.get('snippet'))}")
    if entry["kind"] == "note":
        author = (entry.get("author") or {}).get("name") or "someone"
        return f"Note by {author}, {day}: {_trim(entry.get('body') or entry.get('summary'))}"
    due = f" (due {entry['due_date']})" if entry.get("due_date") else ""
    return f"{_trim(entry.get('summary'))}{due}, {day}"


def gather(crm, table: str, record_id: int) -> list[dict]:
    """The record's newest emails, notes and tasks, newest first (the timeline's entries)."""
    entries = []
    for part in crm.pm.hook.record_timeline(crm=crm, table=table, record_id=record_id,
                                            kinds=set(KINDS), before=None, limit=RECENT):
        entries += [e for e in part or [] if e.get("kind") in KINDS]
    entries.sort(key=lambda e: e.get("at") or "", reverse=True)
    return entries


def fitted(lines: list[str]) -> list[str]:
    """The newest lines that fit SOURCE_CHARS together."""
    kept, used = [], 0
    for line in lines:
        if used + len(line) > SOURCE_CHARS:
            break
        kept.append(line)
        used += len(line) + 1
    return kept


def _user_names(crm, ids) -> dict:
    ids = sorted({i for i in ids if isinstance(i, int)})
    if not ids:
        return {}
    return dict(crm.db.execute(f"SELECT id, name FROM users WHERE id IN "
                               f"({','.join('?' * len(ids))})", ids).fetchall())


def draft_follow_up(crm, table: str, record_id: int, user: dict, contact_id: int | None) -> dict:
    """{subject, body, model_written, sources}; 503 when Spark is off or does not answer, 502
    when its draft fails the guard, 422 when the record has nothing to draft from."""
    api = fundraising(crm)
    record = api.find(table, record_id)
    if record is None:
        raise not_found(f"No such {table[:-1]}")
    investor = record.name if table == "investors" else \
        api.names("investors", [record.value("investor")]).get(record.value("investor"))
    contact = None
    if contact_id is not None:
        contact = api.find("contacts", contact_id)
        if contact is None:
            raise not_found("No such contact")
        check_contact_on_record(crm, contact, (table, record_id))
    elif table == "contacts":
        contact = record
    ready, detail = summarizer_status(crm)
    if not ready:
        raise APIError(falcon.HTTP_503, "spark_disabled",
                       f"Spark, the fund's own model server, is not available: {detail}")
    entries = gather(crm, table, record_id)
    names = _user_names(crm, [e.get("actor") for e in entries])
    lines = fitted([_line(e, names) for e in entries])
    if not lines:
        raise unprocessable("This record has no approved emails, notes or tasks to draft from",
                            code="nothing_to_draft_from")
    to = contact.name if contact else "the investor's team"
    instructions = (
        f"You draft emails for {user['name']}, who works at a venture fund. Write the body of "
        f"a short follow-up email from {user['name']} to {to}"
        f"{f' at {investor}' if investor else ''}, using only the facts in the record below. "
        "Do not invent names, amounts, dates or promises. Plain text: a greeting, two to four "
        "short sentences, a sign-off. No subject line, no preamble.")
    text = f"The record of {investor or record.name}, newest first:\n" + \
        "\n".join(f"- {line}" for line in lines)
    answer = summarize_text(crm, text, instructions)
    if answer is None:
        raise APIError(falcon.HTTP_503, "spark_unavailable",
                       "Spark did not answer (down, busy or too slow); try again, or write "
                       "the draft yourself")
    known = [user["name"], record.name, investor, contact and contact.name]
    reason = check(answer, lines, known, DRAFT_CHARS)
    if reason:
        log.warning("Spark's follow-up draft for %s %s was rejected: %s", table, record_id,
                    reason)
        raise APIError(falcon.HTTP_502, "spark_draft_rejected",
                       f"Spark's draft was not used: {reason}. Try again, or write it yourself.",
                       reason=reason)
    last = next((e.get("subject") for e in entries if e["kind"] == "email" and e.get("subject")),
                None)
    subject = (last if last.lower().startswith("re:") else f"Re: {last}") if last else \
        "Following up"
    return {"subject": subject[:500], "body": answer.strip(), "model_written": True,
            "sources": len(lines)}
