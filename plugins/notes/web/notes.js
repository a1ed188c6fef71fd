// The "Notes" section of the record panel: the record's notes newest first, a box to add
// one (markdown, @mentions of teammates), and edit / delete for its author or an admin.
// A note's `html` is rendered by the server (markdown-it, HTML off) and sanitized with nh3:
// it is copied through an allowlist (serverHtml); every other text goes through h().
import { h, formatDate } from "/assets/ui.js";
import { ApiError } from "/assets/api.js";
import { registerRecordSection } from "/assets/plugins/fundraising/record_sections.js";
import { attachMentions } from "./mentions.js";

// The server's HTML (markdown-it with HTML off, then nh3) is parsed into an inert document and
// copied node by node: only markdown's tags, links only to http(s) and mailto, no other
// attribute. A second gate behind the server's sanitizer; the live page never parses HTML.
const TAGS = new Set(["p", "br", "hr", "em", "strong", "s", "del", "code", "pre", "blockquote",
  "ul", "ol", "li", "a", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr",
  "th", "td"]);

function copyNode(node) {
  if (node.nodeType === Node.TEXT_NODE) return document.createTextNode(node.textContent);
  if (node.nodeType !== Node.ELEMENT_NODE) return null;
  const tag = node.tagName.toLowerCase();
  const children = [...node.childNodes].map(copyNode).filter(Boolean);
  if (!TAGS.has(tag)) return children.length ? h("span", null, ...children) : null; // its text only
  const element = document.createElement(tag);
  const href = tag === "a" ? node.getAttribute("href") || "" : "";
  if (/^(https?:|mailto:)/i.test(href)) Object.assign(element, { href, rel: "noopener noreferrer", target: "_blank" });
  element.append(...children);
  return element;
}

function serverHtml(html) {
  const parsed = new DOMParser().parseFromString(html, "text/html");
  return h("div", { class: "note-body" }, ...[...parsed.body.childNodes].map(copyNode).filter(Boolean));
}

function problem(err) {
  if (err instanceof ApiError && err.code === "version_conflict") {
    const by = err.body.error.updated_by?.name || "someone else";
    return `Changed by ${by} at ${formatDate(err.body.error.updated_at)}. Save again to replace their text, or Cancel.`;
  }
  return err.message;
}

function editor(api, { value = "", label, submit, onSave, onCancel }) {
  const textarea = h("textarea", { class: "note-input", rows: 3, "aria-label": label,
    placeholder: "Write a note… markdown works; @ mentions a teammate" });
  textarea.value = value;
  const message = h("p", { class: "error field-error", role: "alert", hidden: true });
  const save = h("button", { type: "submit", class: "btn btn-primary btn-small" }, submit);
  const form = h("form", { class: "note-form stack" }, textarea, attachMentions(textarea, api), message,
    h("div", { class: "row" }, save,
      onCancel ? h("button", { type: "button", class: "btn btn-small", onclick: onCancel }, "Cancel") : null));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    message.hidden = true;
    save.disabled = true;
    try {
      await onSave(textarea.value);
    } catch (err) {
      message.textContent = problem(err);
      message.hidden = false;
    } finally {
      save.disabled = false;
    }
  });
  textarea.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); form.requestSubmit(); }
  });
  return { form, textarea };
}

async function render(container, { api, table, id, user, toast }) {
  const list = h("ol", { class: "notes" });
  const changed = () => container.closest(".side-panel")?.dispatchEvent(new CustomEvent("record-changed"));

  async function load() {
    const { notes } = await api.get(`/api/fundraising/${table}/${id}/notes`);
    list.replaceChildren(...(notes.length ? notes.map(noteItem) : [h("li", { class: "muted" }, "No notes yet.")]));
  }

  function noteItem(note) {
    const mayChange = user.role === "admin" || note.author?.id === user.id;
    const edited = note.updated_at !== note.created_at ? " · edited" : "";
    const item = h("li", { class: "note", dataset: { note: String(note.id) } });
    const show = () => item.replaceChildren(
      h("div", { class: "row note-head" },
        h("strong", null, note.author?.name || "Someone"),
        h("span", { class: "muted" }, `${formatDate(note.created_at)}${edited}`),
        mayChange ? h("button", { class: "btn btn-small", onclick: edit }, "Edit") : null,
        mayChange ? h("button", { class: "btn btn-small", onclick: remove }, "Delete") : null),
      serverHtml(note.html));
    function edit() {
      const { form, textarea } = editor(api, { value: note.body, label: "Edit note", submit: "Save",
        onCancel: show,
        onSave: async (body) => {
          try {
            await api.patch(`/api/notes/${note.id}`, { body, expected_version: note.version });
          } catch (err) {
            // the box keeps the text; saving again replaces the newer version, knowingly
            if (err instanceof ApiError && err.code === "version_conflict") note.version = err.body.error.current_version;
            throw err;
          }
          await load();
          changed();
        } });
      item.replaceChildren(form);
      textarea.focus();
    }
    async function remove() {
      try {
        await api.del(`/api/notes/${note.id}`, { expected_version: note.version });
        toast("Note deleted", "success");
        await load();
        changed();
      } catch (err) {
        toast(problem(err), "error");
        await load().catch(() => {});
      }
    }
    show();
    return item;
  }

  const adder = editor(api, { label: "New note", submit: "Add note",
    onSave: async (body) => {
      await api.post(`/api/fundraising/${table}/${id}/notes`, { body });
      adder.textarea.value = "";
      await load();
      changed();
    } });
  container.append(adder.form, list);
  await load();
}

registerRecordSection({ id: "notes", title: "Notes", order: 20, render });
