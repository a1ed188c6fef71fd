// Undo and redo of your own changes (cell edits, pastes, fills, clears, bulk edits), each
// written back as one batch with the records' versions. An undo over a record someone else
// changed since asks before it replaces their change.
const STEPS = 100;

export class UndoStack {
  /** write(changes, label, kind) -> Promise<bool>; kind: "new", "undone" or "redone". */
  constructor(page, write) {
    this.page = page;
    this.write = write;
    this.undos = [];
    this.redos = [];
  }

  /** The version the grid holds for a record (null when it is not on screen). */
  version(id) {
    return this.page.rowData(id)?.version ?? null;
  }

  /** step: {label, changes: [{id, key, name, before, after}], versions: Map(id -> version after)}. */
  push(kind, step) {
    if (kind === "undone") this.redos.push(step);
    else this.undos.push(step);
    if (kind === "new") this.redos = [];
    for (const list of [this.undos, this.redos]) if (list.length > STEPS) list.shift();
    this.page.container.dataset.undoSteps = String(this.undos.length);
  }

  /** A single edit saved by the autosave: its step learns the version it made. */
  saved(record) {
    for (const step of [...this.undos].reverse()) {
      if (step.versions.get(record.id) === null) step.versions.set(record.id, record.version);
    }
  }

  undo() { return this.move(this.undos, "undone", "Undo"); }

  redo() { return this.move(this.redos, "redone", "Redo"); }

  async move(list, kind, verb) {
    if (this.busy) return;
    const step = list.pop();
    if (!step) {
      this.page.setStatus(`Nothing to ${verb.toLowerCase()}`, "ok");
      return;
    }
    this.busy = true;
    try {
      const ids = [...step.versions.keys()];
      await Promise.all(ids.map((id) => this.page.saver?.flush(id))); // an edit still waiting
      const stale = ids.filter((id) => {
        const mine = step.versions.get(id);
        const now = this.version(id);
        return mine !== null && now !== null && now !== mine;
      });
      if (stale.length && !(await this.page.ctx.confirm(`${stale.length} of the records this ${verb.toLowerCase()} `
        + `changes ${stale.length === 1 ? "was" : "were"} changed by someone else since. ${verb} anyway and `
        + "replace their changes?"))) {
        list.push(step);
        return;
      }
      const back = step.changes.map((c) => ({ ...c, before: c.after, after: c.before }));
      if (!(await this.write(back, `${verb} ${step.label.toLowerCase()}`, kind))) list.push(step);
    } finally {
      this.busy = false;
    }
  }
}
