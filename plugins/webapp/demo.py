"""`crm demo load`: realistic-looking, deterministic demo data (no network), for trying the
web app and for its screenshot."""
import random
from datetime import date, datetime, timedelta, timezone

import click

from core.cli import command_group, pass_crm
from core.db import utc_text, utcnow
from plugins.fundraising.api import Condition, FilterGroup, Sort, fundraising

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


def _add_fields(api, actor) -> dict:
    """The demo's own investor fields; {name: field id}."""
    fees = f"{{{api.field_name('investors', 'check_size')}}} * 0.02"  # formulas cite names
    made = {}
    for name, field_type, options, formula in (
        ("Type", "single_select", {"choices": TYPES}, None),
        ("Region", "single_select", {"choices": REGIONS}, None),
        ("Website", "url", None, None),
        ("Warm Intro", "checkbox", None, None),
        ("Est. Fees", "formula", None, fees),
    ):
        made[name] = api.add_field("investors", name, field_type, actor, options=options,
                                   formula=formula).id
    return made


def _add_views(api, user):
    stage = [Condition("stage", "is", s) for s in ("Meeting", "Diligence", "Soft Circle")]
    for name, filters, sorts, personal in (
        ("Active pipeline", FilterGroup((Condition("stage", "is_not", "Passed"),
                                         FilterGroup(tuple(stage), "or"))),
         (Sort("check_size", "desc"), Sort("name", "asc")), False),
        ("Big tickets", FilterGroup((Condition("check_size", ">=", 10_000_000),)),
         (Sort("check_size", "desc"),), False),
        ("My investors", FilterGroup((Condition("owner", "is", "me"),)),
         (Sort("last_contact", "desc"),), True),
    ):
        api.add_view("investors", name, user, filters, sorts, personal=personal)


def load_demo(crm, investors=300, seed=7, today=None) -> dict:
    """Fill an empty CRM with demo records; the same seed gives the same data."""
    rng = random.Random(seed)
    today = today or date.today()
    api = fundraising(crm)
    users = [dict(u) for u in crm.db.query(
        "SELECT * FROM users WHERE active = 1 ORDER BY role = 'admin' DESC, id")]
    if not users:
        raise click.ClickException("Create an admin first (crm users create-admin)")
    if api.count("investors", include_archived=True):
        raise click.ClickException("The CRM has investors already; demo data goes into an empty one")
    actor = users[0]["id"]
    counts = {}
    with crm.write() as db:
        own = _add_fields(api, actor)
        fund_ids = [api.create("funds", {"name": name, "target_size": size, "vintage": year},
                               actor).id
                    for name, size, year in (("Fund I", 60_000_000, 2018),
                                             ("Fund II", 150_000_000, 2021),
                                             ("Fund III", 250_000_000, 2025))]
        stages = list(STAGE_WEIGHTS)
        investor_rows = []
        for name, kind in _investor_names(rng, investors):
            stage = rng.choices(stages, weights=list(STAGE_WEIGHTS.values()))[0]
            check = rng.choice([250, 500, 1000, 2000, 2500, 5000, 7500, 10_000, 15_000, 25_000]) * 1000
            slug = "".join(c for c in name.lower() if c.isalnum())[:18]
            values = {"name": name, "stage": stage, "owner": rng.choice(users)["id"],
                      "check_size": check, own["Type"]: kind, own["Region"]: rng.choice(REGIONS),
                      own["Website"]: f"https://www.{slug}.example",
                      own["Warm Intro"]: rng.random() < .35}
            if stage != "Prospect":
                values["last_contact"] = (today - timedelta(days=rng.randint(0, 120))).isoformat()
            record = api.create("investors", values, actor)
            investor_rows.append((record.id, name, stage, check, slug))
            for _ in range(rng.choice([1, 1, 2, 2, 3])):
                person = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
                email = f"{person.split()[0].lower()}.{person.split()[1].lower()}@{slug}.example"
                contact = api.create("contacts", {"name": person, "investor": record.id,
                                                  "email": email, "title": rng.choice(TITLES)},
                                     actor)
                investor_rows[-1] += (contact.id,)
            if stage in ("Soft Circle", "Committed"):
                status = "Soft Circle" if stage == "Soft Circle" else rng.choice(["Committed", "Funded"])
                api.create("commitments", {
                    "name": f"{name} · Fund III", "investor": record.id, "fund": fund_ids[2],
                    "amount": check, "status": status}, actor)
            if rng.random() < .15:
                api.create("commitments", {
                    "name": f"{name} · Fund II", "investor": record.id, "fund": fund_ids[1],
                    "amount": check // 2, "status": "Funded"}, actor)
        _add_views(api, users[0])
        counts["investors"] = len(investor_rows)
        if crm.plugin_enabled("automation"):
            counts["tasks"] = _add_tasks(crm, rng, investor_rows, users, today, actor)
        if crm.plugin_enabled("gmail"):
            counts["emails"] = _add_emails(db, rng, investor_rows, users, today, actor)
    for table in ("contacts", "funds", "commitments"):
        counts[table] = api.count(table)
    return counts


def _add_tasks(crm, rng, investors, users, today, actor):
    from plugins.automation.tasks import create_task

    titles = ["Send Fund III deck", "Schedule partner meeting", "Share data room access",
              "Follow up on LPA comments", "Call about allocation", "Send quarterly letter"]
    picked = rng.sample(investors, min(24, len(investors)))
    for investor in picked:
        create_task(crm, {"title": rng.choice(titles), "investor_id": investor[0],
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
            sent_at = utc_text(when + timedelta(hours=rng.randint(8, 18), minutes=rng.randint(0, 59)))
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
            activity_id = db.execute(
                "INSERT INTO email_activity (user_id, investor_id, contact_id, message_id, "
                "thread_id, direction, subject, excerpt, sent_at, proposal_id, created_at, "
                "created_by) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                [user["id"], investor[0], investor[5], message_id, message_id, direction,
                 subject, excerpt, sent_at, proposal_id, now, actor]).lastrowid
            db.execute("INSERT INTO email_links (activity_id, contact_id, investor_id) "
                       "VALUES (?, ?, ?)", [activity_id, investor[5], investor[0]])
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
