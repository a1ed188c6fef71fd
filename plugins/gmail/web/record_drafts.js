// The "Drafts" section of an investor's or contact's record panel: write an email to one of
// its contacts, or let Spark (the fund's own model server) draft a follow-up to edit, and save
// it as a draft in your own Gmail. The CRM never sends: you send from Gmail. Below, the drafts
// made from this record (who, when, to whom, subject).
import { h, formatDate, say } from "/assets/ui.js";
import { registerRecordSection } from "/assets/plugins/fundraising/record_sections.js";

const MODEL_NOTE = "Written by Spark, the fund's own model: check every word before you save it.";

async function render(container, { api, table, id, toast }) {
  const path = `/api/gmail/records/${table}/${id}/drafts`;
  const list = h("ul", { class: "linked-list record-drafts" });
  const message = h("p", { class: "error", role: "alert", hidden: true });
  const to = h("select", { name: "contact_id", "aria-label": "To" });
  const subject = h("input", { name: "subject", maxLength: 500, "aria-label": "Subject", placeholder: "Subject" });
  const body = h("textarea", { name: "body", rows: 8, maxLength: 100000, "aria-label": "Draft body",
    placeholder: "Write the email here" });
  const modelNote = h("p", { class: "muted draft-model-written", hidden: true }, MODEL_NOTE);
  const spark = h("button", { type: "button", class: "btn btn-small draft-spark" }, "Draft with Spark");
  const save = h("button", { type: "submit", class: "btn btn-small btn-primary draft-save" }, "Save as Gmail draft");
  let origin = "person";

  function show(drafts) {
    list.replaceChildren(...(drafts.length ? drafts.map((d) => h("li", { dataset: { draft: String(d.id) } },
      h("span", { class: "draft-subject" }, d.subject),
      h("span", { class: "muted" }, ` · to ${d.contact_name || d.to} · ${d.user.name || "a teammate"}, ${formatDate(d.created_at)}`),
      d.origin === "spark" ? h("span", { class: "muted" }, " · started by Spark") : null))
      : [h("li", { class: "muted" }, "No drafts from this record yet.")]));
  }

  async function load() {
    const { drafts, contacts } = await api.get(path);
    const chosen = to.value;
    to.replaceChildren(...contacts.map((c) => h("option", { value: String(c.id) }, `${c.name} <${c.email}>`)));
    if (chosen && contacts.some((c) => String(c.id) === chosen)) to.value = chosen;
    const none = !contacts.length;
    to.disabled = save.disabled = spark.disabled = none;
    say(message, none ? "No contact with an email address on this record: add one to write a draft." : "");
    show(drafts);
  }

  body.addEventListener("input", () => {
    if (origin === "spark") modelNote.textContent = `${MODEL_NOTE} (edited)`;
  });

  spark.addEventListener("click", async () => {
    spark.disabled = true;
    spark.textContent = "Spark is writing…";
    say(message, "");
    try {
      const draft = await api.post(`/api/gmail/records/${table}/${id}/follow-up`,
        { contact_id: to.value ? Number(to.value) : null });
      body.value = draft.body;
      if (!subject.value.trim()) subject.value = draft.subject;
      origin = "spark";
      modelNote.textContent = MODEL_NOTE;
      modelNote.hidden = false;
      body.dataset.modelWritten = "true";
    } catch (err) {
      say(message, err.message);
    } finally {
      spark.disabled = false;
      spark.textContent = "Draft with Spark";
    }
  });

  const form = h("form", { class: "draft-form" }, h("label", null, "To", to), h("label", null, "Subject", subject),
    h("label", null, "Body", body), modelNote, message, h("div", { class: "row" }, spark, save));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!subject.value.trim()) { say(message, "Give the draft a subject."); return; }
    save.disabled = true;
    say(message, "");
    try {
      await api.post("/api/gmail/drafts", { contact_id: Number(to.value), subject: subject.value.trim(),
        body: body.value, record_table: table, record_id: id, origin });
      toast("Saved as a draft in your Gmail; send it from there", "success");
      subject.value = body.value = "";
      origin = "person";
      modelNote.hidden = true;
      delete body.dataset.modelWritten;
      await load();
    } catch (err) {
      say(message, err.message);
    } finally {
      save.disabled = !to.options.length;
    }
  });

  container.append(form, h("h3", null, "Drafts made here"), list);
  await load();
}

registerRecordSection({ id: "drafts", title: "Drafts", order: 40, tables: ["investors", "contacts"], render });
