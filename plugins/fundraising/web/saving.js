// Autosave of grid edits: debounced per record, sent with the record's version; a 409 is a
// conflict for the person to resolve; edits made while the server is unreachable wait in
// localStorage and are sent when it answers again.
import { ApiError } from "/assets/api.js";

const QUEUE_KEY = "crm.pendingEdits";
const DEBOUNCE_MS = 400;
const RETRY_MS = 4000;

export function readQueue() {
  try { return JSON.parse(localStorage.getItem(QUEUE_KEY) || "[]"); } catch { return []; }
}

function writeQueue(items) {
  if (items.length) localStorage.setItem(QUEUE_KEY, JSON.stringify(items));
  else localStorage.removeItem(QUEUE_KEY);
}

/** Keep an edit for later; edits to one record merge, keeping the version they started from. */
export function enqueue(edit) {
  const items = readQueue();
  const same = items.find((i) => i.table === edit.table && i.id === edit.id);
  if (same) {
    same.fields = { ...same.fields, ...edit.fields };
    if (edit.name !== undefined) same.name = edit.name;
  } else items.push({ ...edit, queued_at: new Date().toISOString() });
  writeQueue(items);
}

function body(edit, version) {
  const out = { expected_version: version, fields: edit.fields };
  if (edit.name !== undefined) out.name = edit.name;
  return out;
}

export class RecordSaver {
  /**
   * hooks: row(id) -> {version} | null, saved(record), conflict({edit, error}),
   * failed(edit, error), status(text, kind).
   */
  constructor(api, table, hooks) {
    this.api = api;
    this.table = table;
    this.hooks = hooks;
    this.pending = new Map(); // record id -> {fields, name?}
    this.timers = new Map();
    this.inflight = 0;
    this.retryTimer = setInterval(() => this.sendQueued(), RETRY_MS);
    this.onOnline = () => this.sendQueued();
    window.addEventListener("online", this.onOnline);
    this.reportQueue();
  }

  stop() {
    for (const id of [...this.timers.keys()]) this.flush(id);
    clearInterval(this.retryTimer);
    window.removeEventListener("online", this.onOnline);
  }

  /** Remember one changed value and save the record after a short pause. */
  change(id, key, value) {
    const edit = this.pending.get(id) || { fields: {} };
    if (key === "name") edit.name = value;
    else edit.fields[key] = value;
    this.pending.set(id, edit);
    clearTimeout(this.timers.get(id));
    this.timers.set(id, setTimeout(() => this.flush(id), DEBOUNCE_MS));
    this.hooks.status("Unsaved changes…", "warn");
  }

  flush(id) {
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
    const edit = this.pending.get(id);
    this.pending.delete(id);
    if (!edit) return Promise.resolve();
    const row = this.hooks.row(id);
    return this.send({ table: this.table, id, ...edit }, row ? row.version : 1);
  }

  async send(edit, version) {
    this.inflight += 1;
    this.hooks.status("Saving…", "warn");
    try {
      const record = await this.api.patch(`/api/fundraising/${edit.table}/${edit.id}`, body(edit, version));
      this.hooks.saved(record);
      this.hooks.status("All changes saved", "ok");
    } catch (err) {
      if (err instanceof ApiError && err.status === 0) {
        enqueue({ ...edit, expected_version: version });
        this.reportQueue();
      } else if (err instanceof ApiError && err.code === "version_conflict") {
        this.hooks.status("Conflict: not saved", "error");
        this.hooks.conflict({ edit, error: err.body.error });
      } else {
        this.hooks.status("Not saved", "error");
        this.hooks.failed(edit, err);
      }
    } finally {
      this.inflight -= 1;
    }
  }

  /** Send the edits that waited while the server was unreachable, oldest first. */
  async sendQueued() {
    if (this.sending) return;
    const items = readQueue();
    if (!items.length) return;
    this.sending = true;
    try {
      for (const item of items) {
        try {
          const record = await this.api.patch(`/api/fundraising/${item.table}/${item.id}`,
            body(item, item.expected_version));
          if (item.table === this.table) this.hooks.saved(record);
        } catch (err) {
          if (err instanceof ApiError && err.status === 0) break; // still offline
          if (err instanceof ApiError && err.code === "version_conflict" && item.table === this.table) {
            this.hooks.conflict({ edit: item, error: err.body.error });
          } else {
            this.hooks.failed(item, err);
          }
        }
        writeQueue(readQueue().filter((i) => !(i.table === item.table && i.id === item.id)));
      }
    } finally {
      this.sending = false;
      this.reportQueue();
    }
  }

  reportQueue() {
    const count = readQueue().length;
    if (count) this.hooks.status(`Offline: ${count} edit${count === 1 ? "" : "s"} waiting to be sent`, "error");
    else if (!this.inflight && !this.pending.size) this.hooks.status("All changes saved", "ok");
  }
}
