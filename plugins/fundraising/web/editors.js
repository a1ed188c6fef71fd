// Grid cell editors Tabulator lacks: a percent typed as people say it (12.5 for 12.5%, stored
// as the fraction 0.125) and a multi-select with a filter box, usable from the keyboard.
// Tabulator custom editors: (cell, onRendered, success, cancel) -> the element in the cell.
import { h } from "/assets/ui.js";

/** "12.5", "12.5 %" -> 0.125; "" -> null; text that is no number -> undefined. */
export function parsePercent(text) {
  const clean = String(text).trim().replace(/%$/, "").trim().replace(/,/g, "");
  if (!clean) return null;
  const number = Number(clean);
  return Number.isFinite(number) ? Number((number / 100).toPrecision(12)) : undefined;
}

/** The fraction as the number people type: 0.125 -> "12.5". */
export function percentInput(value) {
  return value === null || value === undefined || value === "" ? ""
    : String(Number((Number(value) * 100).toPrecision(12)));
}

export function percentEditor(cell, onRendered, success, cancel) {
  const input = h("input", {
    class: "cell-editor", type: "text", inputmode: "decimal", "aria-label": "Percent",
    placeholder: "e.g. 12.5", value: percentInput(cell.getValue()),
  });
  let done = false;
  const save = () => {
    const value = parsePercent(input.value);
    if (value === undefined) {
      input.setAttribute("aria-invalid", "true");
      input.title = "Type a percent, e.g. 12.5";
      return false;
    }
    done = true;
    success(value);
    return true;
  };
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === "Tab") { e.preventDefault(); save(); }
    else if (e.key === "Escape") { done = true; cancel(); }
    else return;
    e.stopPropagation();
  });
  input.addEventListener("blur", () => { if (!done && !save()) { done = true; cancel(); } });
  onRendered(() => { input.focus(); input.select(); });
  return input;
}

/**
 * A multi-select editor over `values` (["A", ...] or [{label, value}]): the cell holds a filter box, a
 * list of checkable options opens under it. Arrows move, Space (or Enter while filtering)
 * ticks the highlighted option, Enter or leaving saves the list, Escape cancels.
 */
// `values`: the choices, or for a large linked table a search (text) => Promise of choices,
// with `labelOf(value)` naming the values already chosen.
export function multiSelectEditor(values, labelOf) {
  const remote = typeof values === "function";
  const fixed = remote ? [] : values.map((c) => (typeof c === "object" ? c : { label: String(c), value: c }));
  return (cell, onRendered, success, cancel) => {
    document.querySelector(".multi-editor")?.remove(); // an editor Tabulator abandoned
    const start = [].concat(cell.getValue() ?? []);
    let choices = remote ? start.map((v) => ({ label: labelOf(v), value: v })) : fixed;
    const known = new Set(choices.map((c) => c.value));
    const chosen = new Set(start);
    const input = h("input", {
      class: "cell-editor", type: "text", role: "combobox", "aria-expanded": "true",
      "aria-autocomplete": "list", "aria-label": "Find a choice", placeholder: `${chosen.size} chosen · type to find`,
    });
    const listId = `multi-${Math.random().toString(36).slice(2)}`;
    const list = h("div", { id: listId, class: "multi-editor", role: "listbox", "aria-multiselectable": "true" });
    input.setAttribute("aria-controls", listId);
    let active = -1;
    let done = false;
    // Options are not focusable: the focus stays in the filter box, whose blur saves.
    const empty = h("div", { class: "multi-empty muted" }, "No matching choice");
    let rows = [];
    function showChoices() {
      rows = choices.map((choice, i) => {
        const row = h("div", { class: "multi-option", role: "option", id: `${listId}-${i}` },
          h("span", { class: "multi-check", "aria-hidden": "true" }), h("span", null, choice.label));
        row.addEventListener("click", () => toggle(i, !chosen.has(choice.value)));
        return { choice, row };
      });
      list.replaceChildren(...rows.map((r) => r.row), empty);
      rows.forEach((r, i) => toggle(i, chosen.has(r.choice.value)));
    }
    showChoices();
    list.addEventListener("mousedown", (e) => e.preventDefault()); // keep the focus in the box

    const visible = () => rows.filter((r) => !r.row.hidden);
    function toggle(i, on) {
      const { choice, row } = rows[i];
      if (on) chosen.add(choice.value); else chosen.delete(choice.value);
      row.setAttribute("aria-selected", String(on));
      input.placeholder = `${chosen.size} chosen · type to find`;
    }
    function highlight(index) {
      rows.forEach((r) => r.row.classList.remove("active"));
      const shown = visible();
      active = shown.length ? Math.max(-1, Math.min(index, shown.length - 1)) : -1;
      if (active < 0) { input.removeAttribute("aria-activedescendant"); return; }
      shown[active].row.classList.add("active");
      shown[active].row.scrollIntoView({ block: "nearest" });
      input.setAttribute("aria-activedescendant", shown[active].row.id);
    }
    let searching = null;
    function filter() {
      if (remote) { // the chosen ones first, then the server's matches
        clearTimeout(searching);
        searching = setTimeout(async () => {
          const text = input.value;
          const found = await values(text).catch(() => []);
          if (done || text !== input.value) return;
          const picked = [...chosen].map((v) => ({ label: labelOf(v), value: v }));
          choices = [...picked, ...found.filter((c) => !chosen.has(c.value))];
          showChoices();
          empty.hidden = rows.length > 0;
          highlight(text.trim() ? picked.length : -1);
        }, 200);
        return;
      }
      const text = input.value.trim().toLowerCase();
      rows.forEach((r) => { r.row.hidden = !!text && !r.choice.label.toLowerCase().includes(text); });
      empty.hidden = visible().length > 0;
      highlight(text ? 0 : -1);
    }
    function tickActive() {
      const row = visible()[active];
      if (row) toggle(rows.indexOf(row), !chosen.has(row.choice.value));
    }
    // Tabulator may redraw the cell without a blur (a reload): the list then goes at the next click.
    // Tabulator has then ended this edit itself, so neither success nor cancel is called.
    const orphaned = () => { if (!input.isConnected && !done) { done = true; close(); } };
    function close() {
      list.remove();
      document.removeEventListener("mousedown", orphaned, true);
    }
    function finish(save) {
      if (done) return;
      done = true;
      close();
      // The field's order, and values not among the choices kept rather than dropped.
      if (save && remote) success([...chosen]); // as they were, then in the order picked
      else if (save) success([...choices.map((c) => c.value).filter((v) => chosen.has(v)),
        ...start.filter((v) => !known.has(v) && chosen.has(v))]);
      else cancel();
    }
    input.addEventListener("input", filter);
    input.addEventListener("keydown", (e) => {
      if (e.key === "ArrowDown") highlight(active + 1);
      else if (e.key === "ArrowUp") highlight(active - 1);
      else if (e.key === " " && active >= 0 && !input.value) tickActive();
      else if (e.key === "Enter" && input.value.trim() && active >= 0) {
        tickActive();
        input.value = "";
        filter();
      } else if (e.key === "Enter" || e.key === "Tab") finish(true);
      else if (e.key === "Escape") finish(false);
      else return;
      e.preventDefault();
      e.stopPropagation();
    });
    input.addEventListener("blur", () => finish(true));
    onRendered(() => {
      const box = cell.getElement().getBoundingClientRect();
      Object.assign(list.style, {
        left: `${Math.max(0, Math.min(box.left, innerWidth - 260))}px`,
        top: `${box.bottom + 2}px`, minWidth: `${Math.max(box.width, 240)}px`,
        maxHeight: `${Math.max(120, innerHeight - box.bottom - 16)}px`,
      });
      document.body.append(list);
      document.addEventListener("mousedown", orphaned, true);
      empty.hidden = rows.length > 0;
      input.focus();
      if (remote) filter(); // the first matches, without typing
    });
    return input;
  };
}
