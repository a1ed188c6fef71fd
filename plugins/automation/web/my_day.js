// My day: my tasks due today and overdue (by the day in each task's zone; complete them
// here), the reminders of my overdue tasks, investors I own with no recent contact, mentions
// of me and proposals waiting for me. The sidebar badge counts overdue + due + mentions +
// proposals (a reminder is of an overdue task: counted once).
import { registerPage, refreshBadges } from "/assets/app.js";
import { api } from "/assets/api.js";
import { h, say, errorText } from "/assets/ui.js";

const SECTIONS = [
  ["tasks_overdue", "Overdue tasks"],
  ["tasks_due", "Due today"],
  ["reminders", "Reminders"],
  ["stale_investors", "Investors with no recent contact"],
  ["mentions", "Mentions of me"],
  ["proposals", "Emails waiting for my approval"],
];

function investorLink(id, text) {
  return h("a", { href: `#/grid/investors/${id}` }, text);
}

function itemText(item) {
  return item.title || item.summary || item.subject || item.name || `#${item.id}`;
}

export function dayCount(day) {
  return ["tasks_overdue", "tasks_due", "mentions", "proposals"]
    .reduce((sum, key) => sum + (day[key] || []).length, 0);
}

function render(container, ctx) {
  const message = h("p", { class: "error", role: "alert", hidden: true });
  const body = h("div", { class: "stack my-day" });
  container.append(h("div", { class: "page" }, h("h1", null, "My day"), message, body));

  async function complete(task) {
    try {
      await api.patch(`/api/automation/tasks/${task.id}`, { done: true, expected_version: task.version });
      ctx.toast("Task completed", "success");
      await load();
    } catch (err) { say(message, errorText(err)); }
  }

  function row(key, item) {
    const text = itemText(item);
    if (key.startsWith("tasks_")) {
      return h("li", { dataset: { task: item.id } },
        item.investor_id ? investorLink(item.investor_id, text) : text,
        item.due_date ? h("span", { class: "muted" }, ` due ${item.due_date}${item.due_tz && item.due_tz !== "UTC" ? ` (${item.due_tz})` : ""} `) : " ",
        h("button", { class: "btn", onclick: () => complete(item) }, "Complete"));
    }
    if (key === "reminders") {
      return h("li", { dataset: { reminder: item.task_id } },
        item.investor_id ? investorLink(item.investor_id, item.summary) : item.summary,
        item.at ? h("span", { class: "muted" }, ` (reminded ${new Date(item.at).toLocaleString()})`) : null);
    }
    if (key === "stale_investors") {
      return h("li", null, investorLink(item.id, text),
        h("span", { class: "muted" }, item.last_contact ? ` last contact ${item.last_contact}` : " never contacted"));
    }
    const investor = item.investor_id || (item.table === "investors" ? item.record_id : null);
    return h("li", null, investor ? investorLink(investor, text) : text);
  }

  async function load() {
    try {
      const day = await api.get("/api/me/day");
      body.replaceChildren(...SECTIONS.map(([key, title]) => {
        const items = day[key] || [];
        return h("section", { class: "card", dataset: { section: key } },
          h("h2", null, `${title} (${items.length})`),
          items.length ? h("ul", null, items.map((item) => row(key, item)))
            : h("p", { class: "muted" }, "Nothing here."));
      }));
      refreshBadges();
    } catch (err) { say(message, errorText(err)); }
  }
  load();
}

registerPage({
  id: "my-day", title: "My day", path: "day", order: 20, render,
  badge: async (client) => dayCount(await client.get("/api/me/day")),
});
