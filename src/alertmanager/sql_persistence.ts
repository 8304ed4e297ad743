// The dispatcher's state in the Durable Object's SQLite: one JSON row per alert,
// group, notification-log entry and silence, written as each changes and read back
// when the object starts, so a restart resumes the same groups, timers and silences.
import type { AmAlert } from "./alert.js";
import type { NflogEntry } from "./dedup.js";
import type { AggrGroup, LoadedState, Persistence } from "./dispatcher.js";
import type { Silence } from "./silence.js";

export class SqlPersistence implements Persistence {
  constructor(private readonly sql: SqlStorage) {}

  private put(table: string, col: string, key: string, doc: unknown): void {
    this.sql.exec(`INSERT INTO ${table} (${col}, doc) VALUES (?, ?) ON CONFLICT(${col}) DO UPDATE SET doc = excluded.doc`, key, JSON.stringify(doc));
  }

  private del(table: string, col: string, key: string): void {
    this.sql.exec(`DELETE FROM ${table} WHERE ${col} = ?`, key);
  }

  saveAlert(a: AmAlert): void {
    this.put("am_alerts", "fingerprint", a.fingerprint, a);
  }
  deleteAlert(fp: string): void {
    this.del("am_alerts", "fingerprint", fp);
  }
  saveGroup(g: AggrGroup): void {
    this.put("am_groups", "key", g.key, g);
  }
  deleteGroup(key: string): void {
    this.del("am_groups", "key", key);
  }
  saveNflog(key: string, e: NflogEntry): void {
    this.put("am_nflog", "key", key, e);
  }
  deleteNflog(key: string): void {
    this.del("am_nflog", "key", key);
  }
  saveSilence(s: Silence): void {
    this.put("am_silences", "id", s.id, s);
  }
  deleteSilence(id: string): void {
    this.del("am_silences", "id", id);
  }

  getMeta(key: string): string | undefined {
    return this.sql.exec<{ value: string }>("SELECT value FROM am_meta WHERE key = ?", key).toArray()[0]?.value;
  }
  setMeta(key: string, value: string): void {
    this.sql.exec("INSERT INTO am_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", key, value);
  }

  load(): LoadedState {
    const docs = <T>(table: string) => this.sql.exec<{ doc: string }>(`SELECT doc FROM ${table}`).toArray().map((r) => JSON.parse(r.doc) as T);
    return {
      alerts: docs<AmAlert>("am_alerts"),
      groups: docs<AggrGroup>("am_groups"),
      nflog: this.sql
        .exec<{ key: string; doc: string }>("SELECT key, doc FROM am_nflog")
        .toArray()
        .map((r) => [r.key, JSON.parse(r.doc) as NflogEntry]),
      silences: docs<Silence>("am_silences"),
    };
  }
}
