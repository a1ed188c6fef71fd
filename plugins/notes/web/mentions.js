// @mention autocomplete for a note's textarea: typing "@" and the start of an active
// teammate's name or email offers them; Arrow keys move, Enter or Tab (or a click) puts
// "@Name " in the text, Escape closes the list.
import { h } from "/assets/ui.js";
import { loadTeammates } from "/assets/teammates.js";

let teammates = null; // one request per page load

function activeTeammates(api) {
  teammates ||= loadTeammates(api).then((users) => users.filter((u) => u.active),
    (err) => { teammates = null; throw err; });
  return teammates;
}

/** The "@frag" being typed just before the caret, or null. */
function typedMention(textarea) {
  const before = textarea.value.slice(0, textarea.selectionStart);
  const m = before.match(/(?:^|[^\w@])@([^\s@]{0,40}(?: [^\s@]{0,40})?)$/);
  return m ? { text: m[1], start: before.length - m[1].length - 1 } : null;
}

export function attachMentions(textarea, api) {
  const listId = `mentions-${Math.random().toString(36).slice(2)}`;
  const list = h("ul", { id: listId, class: "mention-list", role: "listbox", hidden: true });
  textarea.setAttribute("aria-controls", listId);
  textarea.setAttribute("aria-autocomplete", "list");
  let options = [];
  let active = 0;
  let typed = null;

  function close() {
    list.hidden = true;
    options = [];
    textarea.removeAttribute("aria-activedescendant");
  }

  function highlight(i) {
    active = (i + options.length) % options.length;
    [...list.children].forEach((li, n) => li.setAttribute("aria-selected", String(n === active)));
    textarea.setAttribute("aria-activedescendant", list.children[active].id);
  }

  function pick(user) {
    const after = textarea.value.slice(textarea.selectionStart);
    const before = `${textarea.value.slice(0, typed.start)}@${user.name} `;
    textarea.value = before + after;
    textarea.setSelectionRange(before.length, before.length);
    close();
    textarea.focus();
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  async function suggest() {
    typed = typedMention(textarea);
    if (!typed) { close(); return; }
    const users = await activeTeammates(api);
    const text = typed.text.toLowerCase();
    options = users.filter((u) => u.name.toLowerCase().startsWith(text) || u.email.toLowerCase().startsWith(text)
      || u.name.toLowerCase().split(/\s+/).some((w) => w.startsWith(text))).slice(0, 8);
    if (!options.length) { close(); return; }
    list.replaceChildren(...options.map((u, i) => {
      const li = h("li", { id: `${listId}-${i}`, role: "option", class: "mention-option" },
        h("span", null, u.name), h("span", { class: "muted" }, ` ${u.email}`));
      li.addEventListener("mousedown", (e) => { e.preventDefault(); pick(u); });
      return li;
    }));
    list.hidden = false;
    highlight(0);
  }

  textarea.addEventListener("input", () => suggest().catch(close));
  textarea.addEventListener("keydown", (e) => {
    if (list.hidden || !options.length) return;
    if (e.key === "ArrowDown") highlight(active + 1);
    else if (e.key === "ArrowUp") highlight(active - 1);
    else if (e.key === "Enter" || e.key === "Tab") pick(options[active]);
    else if (e.key === "Escape") close();
    else return;
    e.preventDefault();
    e.stopPropagation();
  });
  textarea.addEventListener("blur", () => setTimeout(close, 150));
  return list;
}
