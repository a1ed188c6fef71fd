"""People named in an import's user columns (Owner) who are not users of the CRM.

No row is dropped for such a name. Each distinct name (case-insensitive) gets what the
importer chose for it:

- "user": the rows get that existing user;
- "invite": an invite is made for the email (as a member, when the import is applied) and
  the rows keep the name as text until the person has an account;
- "keep" (the default): the rows keep the name as text.

A name kept as text goes to the text field "<field> (imported)" ("Owner (imported)"), made
by the import when it does not exist, and the user field is left empty for that row.

An applied import remembers which user each name was mapped to (app_settings, key
"import.people"), and the next import maps the name the same way unless told otherwise, so a
re-import of a later export does not undo the mapping. The remembered map is a default for
a form, not data: it has no audit entry.
"""
import orjson

from dataclasses import dataclass, field

from core.errors import unprocessable
from plugins.fundraising.schema import EMAIL

KEPT_SUFFIX = " (imported)"
REMEMBERED_KEY = "import.people"
ACTIONS = ("user", "invite", "keep")


def kept_field_name(field_name: str) -> str:
    return field_name + KEPT_SUFFIX


@dataclass
class Person:
    """One unknown name as the import handles it."""
    name: str
    column: str
    action: str = "keep"
    user_id: int | None = None
    user_name: str | None = None
    email: str | None = None
    kept_in: str | None = None
    remembered: bool = False  # mapped as the last import did, not by a choice
    rows: list = field(default_factory=list)  # file row numbers, from 1

    def report(self) -> dict:
        return {"name": self.name, "column": self.column, "rows": len(self.rows),
                "row_numbers": self.rows[:20], "action": self.action, "user_id": self.user_id,
                "user_name": self.user_name, "email": self.email, "kept_in": self.kept_in,
                "remembered": self.remembered}


class PeopleChoices:
    """The importer's choices for unknown names, checked against the users table."""

    def __init__(self, db, choices: dict | None):
        users = {row[0]: row[1] for row in db.execute(
            "SELECT id, name FROM users WHERE active = 1")}
        by_email = {row[1].casefold(): row[0] for row in db.execute(
            "SELECT id, email FROM users WHERE active = 1")}
        self.user_names = users
        self.remembered = {name: user_id for name, user_id in remembered(db).items()
                           if user_id in users}
        self.choices = {}  # casefolded name -> (action, user id, email)
        for name, choice in (choices or {}).items():
            where = f"people.{name}"
            action = choice.get("action", "keep")
            user_id, email = choice.get("user_id"), choice.get("email")
            if action not in ACTIONS:
                raise unprocessable(f"Choose user, invite or keep for '{name}'", field=where)
            if action == "user" and user_id not in users:
                raise unprocessable(f"No active user {user_id} for '{name}'", field=where)
            if action == "invite":
                if not email or len(email) > 320 or not EMAIL.match(email):
                    raise unprocessable(f"A valid email to invite '{name}' is required",
                                        field=where)
                if email.casefold() in by_email:  # already has an account: use it
                    action, user_id = "user", by_email[email.casefold()]
            self.choices[name.strip().casefold()] = (action, user_id, email)

    def choice(self, name: str) -> tuple:
        """(action, user id, email, remembered) for a name (casefolded)."""
        if name in self.choices:
            return (*self.choices[name], False)
        if name in self.remembered:
            return "user", self.remembered[name], None, True
        return "keep", None, None, False


class UnknownPeople:
    """The unknown names met in the user columns of one file, with the rows naming them."""

    def __init__(self, choices: PeopleChoices):
        self.choices = choices
        self.people: dict = {}  # (column, casefolded name) -> Person

    def settle(self, header, field_name, parsed) -> list | None:
        """Replace unknown names (the parser leaves them as text) in a user column's values:
        by the chosen user's id, else None with the name kept. Returns the kept names by row
        (None elsewhere), or None when the column names nobody unknown."""
        kept = None
        for index, value in enumerate(parsed):
            if value.__class__ is not str:
                continue
            key = (header, value.casefold())
            person = self.people.get(key)
            if person is None:
                action, user_id, email, known = self.choices.choice(value.casefold())
                person = self.people[key] = Person(
                    value, header, action, user_id, self.choices.user_names.get(user_id),
                    email, None if action == "user" else kept_field_name(field_name), known)
            person.rows.append(index + 1)
            if person.action == "user":
                parsed[index] = person.user_id
                continue
            parsed[index] = None
            if kept is None:
                kept = [None] * len(parsed)
            kept[index] = value
        return kept

    def report(self) -> list[dict]:
        return [p.report() for p in self.people.values()]

    def invites(self) -> list[Person]:
        """One person per email to invite (a name in two columns is invited once)."""
        seen = {}
        for person in self.people.values():
            if person.action == "invite":
                seen.setdefault(person.email.casefold(), person)
        return list(seen.values())


def remembered(db) -> dict:
    """{casefolded name: user id} as the last applied imports mapped them."""
    row = db.execute("SELECT value FROM app_settings WHERE key = ? AND deleted_at IS NULL",
                     [REMEMBERED_KEY]).fetchone()
    try:
        return {k: v for k, v in orjson.loads(row[0]).items() if isinstance(v, int)} if row else {}
    except (orjson.JSONDecodeError, AttributeError):
        return {}


def remember(db, people: UnknownPeople, actor_id, now):
    """Keep this import's mapping of names to users for the next one; a name now kept as
    text or invited is forgotten."""
    before = remembered(db)
    after = dict(before)
    for person in people.people.values():
        if person.action == "user":
            after[person.name.casefold()] = person.user_id
        else:
            after.pop(person.name.casefold(), None)
    if after == before:
        return
    db.execute("INSERT INTO app_settings (key, value, version, created_at, created_by, "
               "updated_at, updated_by) VALUES (?, ?, 1, ?, ?, ?, ?) ON CONFLICT (key) DO "
               "UPDATE SET value = excluded.value, version = version + 1, updated_at = "
               "excluded.updated_at, updated_by = excluded.updated_by, deleted_at = NULL",
               [REMEMBERED_KEY, orjson.dumps(after).decode(), now, actor_id, now, actor_id])
