"""Audit entries as words for people: who did what to which row, and each value as text.

Plugins describe their own entries (an ActivitySource's `describe`); these are the shared
pieces, and the core's own describer for accounts and invites."""

VERBS = {"create": "created", "update": "changed", "archive": "archived",
         "restore": "restored", "delete": "deleted"}
EMPTY = "empty"


def actor_name(entry) -> str:
    """Who made an entry: the user's name, or "The system" for scheduled work."""
    return (entry.get("actor") or {}).get("name") or "The system"


def plain(value) -> str:
    """A stored value as text when nothing better is known: lists joined, empty as empty."""
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(plain(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {plain(v)}" for k, v in value.items())
    return str(value)


def detail(name, before, after, before_text=None, after_text=None, **extra) -> dict:
    """One changed field: raw values and their text (plain() unless given)."""
    return {"field": name, "before": before, "after": after,
            "before_text": plain(before) if before_text is None else before_text,
            "after_text": plain(after) if after_text is None else after_text, **extra}


def plain_details(changes: dict, skip=()) -> list[dict]:
    """detail() of each stored change {name: [before, after]}, in stored order."""
    return [detail(name, *pair) for name, pair in changes.items()
            if name not in skip and isinstance(pair, list) and len(pair) == 2]


def listing(names, most=3) -> str:
    """"Owner", "Owner and Stage", "Owner, Stage and Sectors", "A, B, C and 2 more"."""
    names = list(names)
    if len(names) > most:
        return f"{', '.join(names[:most])} and {len(names) - most} more"
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def names_by_id(db, table, ids) -> dict:
    """{id: name} of rows of `table` (archived and deactivated ones too: history keeps them)."""
    ids = sorted({int(i) for i in ids if str(i).isdigit()})
    names = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        names.update(db.execute(f"SELECT id, name FROM {table} WHERE id IN "
                                f"({','.join('?' * len(chunk))})", chunk).fetchall())
    return names


# account events (audit.record_event): {who} and {name} (the user it concerns)
EVENTS = {
    "password_changed": "{who} changed their password",
    "password_reset": "{name} set a new password with a reset link",
    "two_factor_on": "{who} turned on two-factor sign-in",
    "two_factor_off": "{who} turned off two-factor sign-in",
    "two_factor_reset": "{who} reset the two-factor sign-in of {name}",
    "recovery_codes_renewed": "{who} made new two-factor recovery codes",
    "recovery_code_used": "{name} signed in with a recovery code ({left} left)",
    "sessions_ended": "{who} signed out {count} of {name}",
}


def _event_summary(entry, after, name) -> str:
    who = actor_name(entry)
    if after["event"] == "sessions_ended" and \
            str((entry.get("actor") or {}).get("id")) == str(entry["row_id"]):
        name = "their own"  # "Ada signed out 2 sessions of their own"
    count = after.get("sessions_ended") or 0
    text = EVENTS.get(after["event"], "{who}: " + str(after["event"]))
    return text.format(who=who, name=name, left=after.get("codes_left", 0),
                       count=f"{count} session{'s' if count != 1 else ''}")


def describe_accounts(db, entries):
    """Summaries and details of the core's users and invites entries."""
    users = names_by_id(db, "users", [e["row_id"] for e in entries if e["table"] == "users"])
    for entry in entries:
        changes, who = entry.get("changes") or {}, actor_name(entry)
        after = {k: v[1] for k, v in changes.items() if isinstance(v, list)}
        # what the summary says already is left out: a new user's name and role, an invite
        shown = {} if entry["table"] == "invites" else {
            k: v for k, v in changes.items() if entry["kind"] != "create" or k == "email"}
        details = [{**d, "field": d["field"].capitalize()} for d in plain_details(shown)]
        if entry["table"] == "users":
            name = users.get(int(entry["row_id"])) or after.get("name") or "a user"
            if "event" in after:
                entry["summary"] = _event_summary(entry, after, name)
                details = []
            elif entry["kind"] == "create":
                entry["summary"] = f"{who} added {name} ({after.get('role', 'member')})"
            else:
                keys = [d["field"].lower() for d in details]
                entry["summary"] = f"{who} {VERBS.get(entry['kind'], entry['kind'])} " + (
                    f"{listing(keys)} of {name}" if keys else name)
        elif entry["table"] == "invites":
            email = after.get("email") or "a new user"
            if entry["kind"] == "create" and after.get("purpose") == "setup":
                entry["summary"] = f"{who} made the setup link for the first admin"
            elif entry["kind"] == "create" and after.get("purpose") == "reset":
                entry["summary"] = f"{who} made a password reset link for {email}"
            elif entry["kind"] == "create":
                entry["summary"] = f"{who} invited {email} as {after.get('role', 'member')}"
            else:
                entry["summary"] = f"{who} {VERBS.get(entry['kind'], entry['kind'])} an invite"
        entry["details"] = details


def describe_plain(db, entries):
    """Details as plain text for a plugin that does not describe its own entries."""
    for entry in entries:
        entry["details"] = plain_details(entry.get("changes") or {})


def sentence(entry, what: str) -> str:
    """"Ada Admin changed <what>", with the entry's actor and verb."""
    return f"{actor_name(entry)} {VERBS.get(entry['kind'], entry['kind'])} {what}"
