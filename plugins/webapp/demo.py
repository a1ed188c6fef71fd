"""`crm demo load`: realistic-looking, deterministic demo data (no network), for trying the
web app and for its screenshot."""
import random
from datetime import date, datetime, timedelta, timezone

import click

from core.cli import command_group, pass_crm
from core.db import utcnow

FIRST = ["Ada", "Ben", "Chloe", "Daniel", "Elena", "Farid", "Grace", "Hiro", "Isabel", "Jonas",
         "Kemi", "Lars", "Maya", "Nikhil", "Olivia", "Pablo", "Quinn", "Rosa", "Sven", "Tara",
         "Umar", "Vera", "Wen", "Ximena", "Yusuf", "Zoe"]
LAST = ["Abbott", "Bauer", "Castillo", "Dubois", "Eriksen", "Fischer", "Gupta", "Hale", "Ito",
        "Jensen", "Kowalski", "Larsen", "Moreau", "Nakamura", "Okafor", "Patel", "Quist", "Rossi",
        "Schmidt", "Tanaka", "Usman", "Varga", "Weber", "Young", "Zhou"]
PLACES = ["Harbor", "Summit", "Granite", "Northwind", "Bluebird", "Cedar", "Meridian", "Juniper",
          "Lighthouse", "Redwood", "Silverline", "Orchard", "Beacon", "Tidewater", "Aspen",
          "Ironbridge", "Kestrel", "Larkspur", "Maple", "Oakmont", "Pinecrest", "Riverbend",
          "Stonegate", "Willow", "Alder", "Brookfield", "Crescent", "Evergreen", "Foxglove"]
KINDS = [("Family Office", "Family Office"), ("Capital", "Fund of Funds"),
         ("Endowment", "Endowment"), ("Pension Fund", "Pension"), ("Partners", "Fund of Funds"),
         ("Ventures", "Corporate"), ("Foundation", "Endowment"), ("Holdings", "Family Office"),
         ("Trust", "HNWI")]
TYPES = ["Family Office", "Fund of Funds", "Endowment", "Pension", "Corporate", "HNWI"]
REGIONS = ["North America", "Europe", "Asia", "Middle East", "Latin America"]
TITLES = ["Partner", "Managing Director", "Principal", "CIO", "Investment Director",
          "Associate", "Head of Private Markets", "Chief of Staff"]
STAGE_WEIGHTS = {"Prospect": 30, "Intro": 18, "Meeting": 16, "Diligence": 10,
                 "Soft Circle": 8, "Committed": 8, "Passed": 6, "Declined": 4}
SUBJECTS = ["Fund III update", "Following up on our call", "Data room access",
            "Quarterly letter", "Intro: {name}", "Re: LPA questions", "Meeting next week?",
            "Re: side letter draft"]


def _investor_names(rng, count):
    names, seen = [], set()
    while len(names) < count:
        place = rng.choice(PLACES)
        suffix, kind = rng.choice(KINDS)
        name = f"{place} {suffix}" if rng.random() < .6 else f"{rng.choice(LAST)} {suffix}"
        if name not in seen:
            seen.add(name)
            names.append((name, kind))
    return names


def _add_fields(db, actor):
    from plugins.fundraising.fields import create_field
    from plugins.fundraising.models import FieldCreate

    for body in (
        {"name": "Type", "type": "single_select", "options": {"choices": TYPES}},
        {"name": "Region", "type": "single_select", "options": {"choices": REGIONS}},
        {"name": "Website", "type": "url"},
        {"name": "Warm Intro", "type": "checkbox"},
        {"name": "Est. Fees", "type": "formula", "formula": "{Check Size} * 0.02"},
    ):
        field = FieldCreate(table="investors", **body)
        if field.options is not None:  # as the route does: the store takes a plain dict
            field.options = field.options.model_dump(exclude_none=True)
        create_field(db, field, actor)


def _add_views(db, user):
    from plugins.fundraising.models import ViewCreate
    from plugins.fundraising.views import create_view

    for body in (
        {"name": "Active pipeline", "filters": {"op": "and", "conditions": [
            {"field": "Stage", "operator": "is_not", "value": "Passed"},
            {"op": "or", "conditions": [
                {"field": "Stage", "operator": "is", "value": "Meeting"},
                {"field": "Stage", "operator": "is", "value": "Diligence"},
                {"field": "Stage", "operator": "is", "value": "Soft Circle"}]}]},
         "sorts": [{"field": "Check Size", "direction": "desc"}, {"field": "Name", "direction": "asc"}]},
        {"name": "Big tickets", "filters": {"op": "and", "conditions": [
            {"field": "Check Size", "operator": ">=", "value": 10_000_000}]},
         "sorts": [{"field": "Check Size", "direction": "desc"}]},
        {"name": "My investors", "personal": True, "filters": {"op": "and", "conditions": [
            {"field": "Owner", "operator": "is", "value": "me"}]},
         "sorts": [{"field": "Last Contact", "direction": "desc"}]},
    ):
        create_view(db, ViewCreate(table="investors", **body), user)


def load_demo(crm, investors=300, seed=7, today=None) -> dict:
    """Fill an empty CRM with demo records; the same seed gives the same data."""
    from plugins.fundraising.records import RecordStore

    rng = random.Random(seed)
    today = today or date.today()
    users = [dict(u) for u in crm.db.query(
        "SELECT * FROM users WHERE active = 1 ORDER BY role = 'admin' DESC, id")]
    if not users:
        raise click.ClickException("Create an admin first (crm users create-admin)")
    if crm.db.execute("SELECT count(*) FROM fundraising_investors").fetchone()[0]:
        raise click.ClickException("The CRM has investors already; demo data goes into an empty one")
    actor = users[0]["id"]
    counts = {}
    with crm.write() as db:
        _add_fields(db, actor)
        funds = RecordStore(db, "funds")
        fund_ids = [funds.create(name, {"Target Size": size, "Vintage": year}, actor)["id"]
                    for name, size, year in (("Fund I", 60_000_000, 2018),
                                             ("Fund II", 150_000_000, 2021),
                                             ("Fund III", 250_000_000, 2025))]
        store, contacts, commitments = (RecordStore(db, t) for t in ("investors", "contacts", "commitments"))
        stages = list(STAGE_WEIGHTS)
        investor_rows = []
        for name, kind in _investor_names(rng, investors):
            stage = rng.choices(stages, weights=list(STAGE_WEIGHTS.values()))[0]
            check = rng.choice([250, 500, 1000, 2000, 2500, 5000, 7500, 10_000, 15_000, 25_000]) * 1000
            slug = "".join(c for c in name.lower() if c.isalnum())[:18]
            fields = {"Stage": stage, "Owner": rng.choice(users)["id"], "Check Size": check,
                      "Type": kind, "Region": rng.choice(REGIONS),
                      "Website": f"https://www.{slug}.example", "Warm Intro": rng.random() < .35}
            if stage != "Prospect":
                fields["Last Contact"] = (today - timedelta(days=rng.randint(0, 120))).isoformat()
            record = store.create(name, fields, actor)
            investor_rows.append((record["id"], name, stage, check, slug))
            for _ in range(rng.choice([1, 1, 2, 2, 3])):
                person = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
                email = f"{person.split()[0].lower()}.{person.split()[1].lower()}@{slug}.example"
                contact = contacts.create(person, {"Investor": record["id"], "Email": email,
                                                   "Title": rng.choice(TITLES)}, actor)
                investor_rows[-1] += (contact["id"],)
            if stage in ("Soft Circle", "Committed"):
                status = "Soft Circle" if stage == "Soft Circle" else rng.choice(["Committed", "Funded"])
                commitments.create(f"{name} · Fund III", {
                    "Investor": record["id"], "Fund": fund_ids[2], "Amount": check,
                    "Status": status}, actor)
            if rng.random() < .15:
                commitments.create(f"{name} · Fund II", {
                    "Investor": record["id"], "Fund": fund_ids[1], "Amount": check // 2,
                    "Status": "Funded"}, actor)
        _add_views(db, users[0])
        counts["investors"] = len(investor_rows)
        if crm.plugin_enabled("automation"):
            counts["tasks"] = _add_tasks(db, rng, investor_rows, users, today, actor)
        if crm.plugin_enabled("gmail"):
            counts["emails"] = _add_emails(db, rng, investor_rows, users, today, actor)
    for table in ("contacts", "funds", "commitments"):
        counts[table] = crm.db.execute(
            f"SELECT count(*) FROM fundraising_{table} WHERE deleted_at IS NULL").fetchone()[0]
    return counts


def _add_tasks(db, rng, investors, users, today, actor):
    from plugins.automation.tasks import create_task

    titles = ["Send Fund III deck", "Schedule partner meeting", "Share data room access",
              "Follow up on LPA comments", "Call about allocation", "Send quarterly letter"]
    picked = rng.sample(investors, min(24, len(investors)))
    for investor in picked:
        create_task(db, {"title": rng.choice(titles), "investor_id": investor[0],
                         "assignee_id": rng.choice(users)["id"],
                         "due_date": (today + timedelta(days=rng.randint(-5, 14))).isoformat(),
                         "notes": ""}, actor)
    return len(picked)


def _add_emails(db, rng, investors, users, today, actor):
    """A week of approved email activity: proposals decided by their owner."""
    with_contacts = [i for i in investors if len(i) > 5]
    count = 0
    for day in range(7):
        for _ in range(rng.randint(4, 9)):
            investor = rng.choice(with_contacts)
            user = rng.choice(users)
            when = datetime.combine(today - timedelta(days=day), datetime.min.time(), timezone.utc)
            sent_at = (when + timedelta(hours=rng.randint(8, 18), minutes=rng.randint(0, 59))).isoformat()
            subject = rng.choice(SUBJECTS).format(name=investor[1])
            message_id = f"<demo-{day}-{count}@fund.example>"
            direction = rng.choice(["out", "in"])  # as Gmail sync writes it
            excerpt = f"Thanks for the time this week. Sharing the {subject.lower()} notes as promised."
            now = utcnow()
            proposal_id = db.execute(
                "INSERT INTO gmail_proposals (user_id, message_id, thread_id, direction, "
                "from_address, to_addresses, subject, excerpt, sent_at, investor_id, contact_id, "
                "status, decided_by, decided_at, created_at) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [user["id"], message_id, message_id, direction, user["email"], "[]", subject,
                 excerpt, sent_at, investor[0], investor[5], "approved", user["id"], now, now]
            ).lastrowid
            db.execute(
                "INSERT INTO email_activity (user_id, investor_id, contact_id, message_id, "
                "thread_id, direction, subject, excerpt, sent_at, proposal_id, created_at, "
                "created_by) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                [user["id"], investor[0], investor[5], message_id, message_id, direction,
                 subject, excerpt, sent_at, proposal_id, now, actor])
            count += 1
    return count


def register_demo_commands(cli):
    demo = command_group(cli, "demo", "Demo data for trying the web app.")

    @demo.command(name="load")
    @click.option("--investors", default=300, show_default=True, type=click.IntRange(1, 5000))
    @click.option("--seed", default=7, show_default=True, help="The same seed, the same data")
    @pass_crm
    def load(crm, investors, seed):
        """Fill an empty CRM with investors, contacts, funds, commitments, views, tasks and a
        week of approved email activity (all names made up)."""
        if not crm.plugin_enabled("fundraising"):
            raise click.ClickException("The demo needs the fundraising plugin")
        counts = load_demo(crm, investors, seed)
        click.echo("Loaded demo data: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
