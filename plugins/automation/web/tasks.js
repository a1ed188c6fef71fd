// Tasks: filter open / done / overdue / due today / by assignee, add a task for an investor,
// mark tasks done, change their due date and assignee (any active teammate), archive and
// restore them. Due dates are written with this browser's time zone; overdue is the
// server's word (the day in the task's zone). A task may repeat every N days.
import { registerPage } from "/assets/app.js";
import { api, ApiError } from "/assets/api.js";
import { h, table, say, errorText, INLINE } from "/assets/ui.js";
import { loadTeammates, pickerChoices, teammateLabel } from "/assets/teammates.js";

// The writer's IANA zone, sent with every due date or time.
const ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

// A due date or moment, with the zone it is in when it is not this browser's.
function dueText(task) {
  const zone = task.due_tz && task.due_tz !== ZONE ? ` (${task.due_tz})` : "";
  if (!task.due_at) return zone;
  const time = new Date(task.due_at).toLocaleTimeString([], {
    hour: "2-digit", minute: "2-digit", timeZone: task.due_tz || "UTC" });
  return ` ${time}${zone}`;
}

function options(select, choices, value) {
  select.replaceChildren(...choices.map(([v, label]) => h("option", { value: v }, label)));
  select.value = value;
  return select;
}

function nameFilter(text) {
  return { op: "and", conditions: [{ field: "Name", operator: "contains", value: text }] };
}

function render(container, ctx) {
  const message = h("p", { class: "error", role: "alert", hidden: true });
  const listArea = h("div", { class: "task-list" });
  const status = options(h("select", { name: "status", "aria-label": "Status" }),
    [["open", "Open"], ["done", "Done"], ["all", "All"], ["archived", "Archived"]], "open");
  const due = options(h("select", { name: "due", "aria-label": "Due" }),
    [["", "Any due date"], ["overdue", "Overdue"], ["today", "Due today"]], "");
  let users = [{ ...ctx.user, active: true }]; // until the teammates are loaded
  const assignedTo = options(h("select", { name: "assigned_to", "aria-label": "Assigned to" }),
    filterChoices(), "");
  const investorNames = new Map();

  function fail(err) {
    say(message, errorText(err));
  }

  // Anyone's tasks, mine, or a teammate's (a former one's too: their tasks still exist).
  function filterChoices() {
    return [["", "Anyone"], ["me", "Me"], ...users.filter((u) => u.id !== ctx.user.id)
      .map((u) => [String(u.id), teammateLabel(u)])];
  }

  // Active teammates, and `current` when it is an inactive one (a task keeps its assignee).
  function userChoices(current = null) {
    return [["", "Unassigned"], ...pickerChoices(users, current).map(([id, label]) =>
      [String(id), id === ctx.user.id ? `${label} (me)` : label])];
  }

  async function investorName(id) {
    if (!investorNames.has(id)) {
      investorNames.set(id, api.get(`/api/fundraising/investors/${id}`)
        .then((record) => record.name, () => `Investor #${id} (archived)`));
    }
    return investorNames.get(id);
  }

  async function change(task, changes) {
    say(message, "");
    try {
      const saved = await api.patch(`/api/automation/tasks/${task.id}`, { ...changes, expected_version: task.version });
      if (saved.next_task) ctx.toast(`Next one due ${saved.next_task.due_date}`, "success");
    } catch (err) {
      fail(err);
    }
    await load();
  }

  function dueInput(task) {
    const input = h("input", { type: "date", value: task.due_date || "", "aria-label": `Due date of ${task.title}` });
    input.addEventListener("change", () => change(task, input.value
      ? { due_date: input.value, due_tz: ZONE } : { due_date: null }));
    const state = { overdue: " overdue", today: " due today" }[task.due_status];
    return h("span", null, input, h("span", { class: "muted" }, dueText(task)),
      state ? h("span", { class: "badge" }, state) : null,
      task.repeat_days ? h("span", { class: "muted" }, ` repeats every ${task.repeat_days} d`) : null);
  }

  function assigneeSelect(task) {
    const current = task.assignee_id === null ? "" : String(task.assignee_id);
    const select = options(h("select", { "aria-label": `Assignee of ${task.title}` }),
      userChoices(task.assignee_id), current);
    select.addEventListener("change", () =>
      change(task, { assignee_id: select.value ? Number(select.value) : null }));
    return select;
  }

  function doneCell(task) {
    if (task.done) {
      return h("button", { type: "button", class: "btn", onclick: () => change(task, { done: false }) }, "Reopen");
    }
    return h("button", { type: "button", class: "btn btn-primary", onclick: () => change(task, { done: true }) }, "Mark done");
  }

  async function archiveOrRestore(task) {
    say(message, "");
    try {
      if (task.archived) await api.post(`/api/automation/tasks/${task.id}/restore`);
      else await api.del(`/api/automation/tasks/${task.id}`, { expected_version: task.version });
    } catch (err) {
      fail(err);
    }
    await load();
  }

  async function load() {
    try {
      const { tasks, total } = await api.get("/api/automation/tasks", {
        status: status.value, due: due.value || null, assignee: assignedTo.value || null, limit: 500,
      });
      const names = await Promise.all(tasks.map((t) => (t.investor_id ? investorName(t.investor_id) : "")));
      const archived = status.value === "archived";
      const rows = tasks.map((t, i) => ({ ...t, investor: names[i], archived }));
      listArea.replaceChildren(h("p", { class: "muted" }, `${total} task(s)`), rows.length ? table([
        { key: "title", title: "Task", render: (t) => h("span", { title: t.notes || "" }, t.title) },
        { key: "investor", title: "Investor" },
        { key: "due_date", title: "Due", render: dueInput },
        { key: "assignee_id", title: "Assignee", render: assigneeSelect },
        { key: "done", title: "", render: (t) => (t.archived ? "" : doneCell(t)) },
        { key: "archived", title: "", render: (t) => h("button", { type: "button", class: "btn",
          onclick: () => archiveOrRestore(t) }, t.archived ? "Restore" : "Archive") },
      ], rows) : h("p", { class: "muted" }, "No tasks."));
    } catch (err) {
      fail(err);
    }
  }

  function createForm() {
    const title = h("input", { type: "text", name: "title", required: true, placeholder: "What to do" });
    const search = h("input", { type: "search", name: "investor_search", placeholder: "Search investors by name", autocomplete: "off" });
    const found = h("div", { class: "row investor-results" });
    const chosen = h("span", { class: "badge" }, "no investor chosen");
    const dueDate = h("input", { type: "date", name: "due_date" });
    const dueTime = h("input", { type: "time", name: "due_time", "aria-label": "Due time (optional)" });
    const repeat = h("input", { type: "number", name: "repeat_days", min: 1, max: 365,
      placeholder: "days", "aria-label": "Repeat every N days after the last contact" });
    const assignee = options(h("select", { name: "assignee" }), userChoices(), String(ctx.user.id));
    let investorId = null;
    let timer = null;

    async function lookUp() {
      const text = search.value.trim();
      if (!text) { found.replaceChildren(); return; }
      try {
        const { records } = await api.get("/api/fundraising/investors", { filters: nameFilter(text), limit: 10 });
        found.replaceChildren(...(records.length ? records.map((r) => h("button", {
          type: "button", class: "btn", onclick: () => {
            investorId = r.id;
            chosen.textContent = r.name;
            found.replaceChildren();
          },
        }, r.name)) : [h("span", { class: "muted" }, "No investor matches.")]));
      } catch (err) {
        fail(err);
      }
    }
    search.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(lookUp, 250); });

    const form = h("form", { class: "card stack" }, h("h3", null, "New task"),
      h("label", null, "Title ", title),
      h("label", null, "Investor ", search), found, h("div", null, "For: ", chosen),
      h("label", null, "Due ", dueDate, " ", dueTime, h("span", { class: "muted" }, ` ${ZONE}`)),
      h("label", null, "Repeat every ", repeat, " days after the last contact"),
      h("label", null, "Assignee ", assignee),
      h("div", { class: "toolbar" }, h("button", { type: "submit", class: "btn btn-primary" }, "Add task")));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      say(message, "");
      if (investorId === null) { say(message, "Choose an investor for the task."); return; }
      try {
        const due = !dueDate.value ? { due_date: null }
          : dueTime.value ? { due_at: `${dueDate.value}T${dueTime.value}`, due_tz: ZONE }
            : { due_date: dueDate.value, due_tz: ZONE };
        await api.post("/api/automation/tasks", {
          title: title.value.trim(), investor_id: investorId, ...due,
          repeat_days: repeat.value ? Number(repeat.value) : null,
          assignee_id: assignee.value ? Number(assignee.value) : null,
        });
        ctx.toast("Task added", "success");
        form.reset();
        investorId = null;
        chosen.textContent = "no investor chosen";
        assignee.value = String(ctx.user.id);
        await load();
      } catch (err) {
        fail(err);
      }
    });
    return { form, refreshUsers: () => options(assignee, userChoices(), assignee.value) };
  }

  for (const input of [status, due, assignedTo]) input.addEventListener("change", load);
  const creator = createForm();
  container.replaceChildren(h("div", { class: "stack" },
    h("h2", null, "Tasks"),
    h("div", { class: "toolbar" }, status, due, h("label", { style: INLINE }, "Assigned to", assignedTo)),
    message, listArea, creator.form));

  loadTeammates(api).then((all) => {
    users = all;
    options(assignedTo, filterChoices(), assignedTo.value);
    creator.refreshUsers();
  }, fail).then(load);
}

registerPage({ id: "tasks", title: "Tasks", path: "tasks", nav: true, adminOnly: false,
  order: 30, render });
