// The "Tasks" section of an investor's record panel: its open and done tasks, mark one done
// or open again, and add one (title, due date, assignee: any active teammate).
import { h, formatDate } from "/assets/ui.js";
import { loadTeammates, pickerChoices } from "/assets/teammates.js";
import { registerRecordSection } from "/assets/plugins/fundraising/record_sections.js";

// the grid has the teammates already when its table has a user field (investors: Owner)
function teammates(api, grid) {
  return grid.fields.some((f) => f.type === "user") ? grid.lookups.teammates : loadTeammates(api);
}

async function render(container, { api, grid, id, user, toast }) {
  const list = h("ul", { class: "linked-list record-tasks" });
  const changed = () => container.closest(".side-panel")?.dispatchEvent(new CustomEvent("record-changed"));
  const [{ tasks }, users] = await Promise.all([
    api.get("/api/automation/tasks", { investor_id: id, status: "all", limit: 100 }),
    teammates(api, grid),
  ]);
  const names = new Map(users.map((u) => [u.id, u.name]));

  async function load() {
    show((await api.get("/api/automation/tasks", { investor_id: id, status: "all", limit: 100 })).tasks);
  }

  async function write(call) {
    try { await call(); await load(); changed(); } catch (err) { toast(err.message, "error"); }
  }

  function show(items) {
    list.replaceChildren(...(items.length ? items.map((t) => h("li", { dataset: { task: String(t.id) } },
      h("span", { class: t.done ? "task-done" : null }, t.title),
      t.due_date ? h("span", { class: "muted" }, ` · due ${formatDate(t.due_date)}`) : null,
      t.assignee_id ? h("span", { class: "muted" }, ` · ${names.get(t.assignee_id) || `User ${t.assignee_id}`}`) : null, " ",
      h("button", { class: "btn btn-small", onclick: () => write(() => api.patch(`/api/automation/tasks/${t.id}`,
        { done: !t.done, expected_version: t.version })) }, t.done ? "Reopen" : "Mark done")))
      : [h("li", { class: "muted" }, "No tasks.")]));
  }

  const title = h("input", { name: "title", required: true, maxLength: 500, "aria-label": "New task", placeholder: "New task" });
  const due = h("input", { name: "due_date", type: "date", "aria-label": "Due date" });
  const assignee = h("select", { name: "assignee_id", "aria-label": "Assignee" },
    h("option", { value: "" }, "Unassigned"),
    pickerChoices(users).map(([uid, label]) => h("option", { value: String(uid) }, label)));
  assignee.value = String(user.id);
  const form = h("form", { class: "row task-form" }, title, due, assignee,
    h("button", { type: "submit", class: "btn btn-small" }, "Add task"));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    write(async () => {
      await api.post("/api/automation/tasks", { title: title.value, investor_id: id, due_date: due.value || null,
        assignee_id: assignee.value ? Number(assignee.value) : null });
      title.value = "";
      due.value = "";
    });
  });
  show(tasks);
  container.append(list, form);
}

registerRecordSection({ id: "tasks", title: "Tasks", order: 15, tables: ["investors"], render });
