import { DurableObject } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/durable-sqlite";
import { migrate } from "drizzle-orm/durable-sqlite/migrator";
import migrations from "../../migrations/pushgateway/migrations.js";
import { apiSwitchesFrom } from "../model/api_switches.js";
import { limitsFrom } from "../model/limits.js";
import { EDGEPROM_VERSION } from "../model/version.js";
import { decodeDelimitedFamilies, encodeDelimitedFamilies } from "../textparse/dto_protobuf.js";
import { Gateway, type GroupPersistence } from "./gateway.js";
import type { MetricGroup, StoredFamily } from "./metric_store.js";
import { gatewayApp } from "./http_api.js";
import type { Hono } from "hono";

const DEFAULT_MAX_BODY = 32 << 20;

/**
 * One tier's Pushgateway (named `${TIER}/pushgateway`). Requests are served one at a
 * time, as the real gateway serialises writes, and every change is written to this
 * object's SQLite before the response leaves, so an acknowledged push survives
 * eviction and restarts. The whole state is loaded when the object starts.
 */
export class PushGateway extends DurableObject<Env> {
  private readonly gateway: Gateway;
  private readonly app: Hono;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    migrate(drizzle(ctx.storage), migrations);
    const persistence = new SqlPersistence(ctx.storage);
    this.gateway = new Gateway(persistence, `edgeprom-${EDGEPROM_VERSION}`);
    for (const g of persistence.load()) this.gateway.store.restore(g);
    this.app = gatewayApp(this.gateway, { maxBodyBytes: Number(env.MAX_BODY_BYTES || DEFAULT_MAX_BODY), limits: limitsFrom(env), adminApi: apiSwitchesFrom(env).adminApi });
  }

  override async fetch(req: Request): Promise<Response> {
    return this.app.fetch(req);
  }

  /** Counts for the tier's /metrics and the UI. */
  async stats(): Promise<{ groups: number }> {
    return { groups: this.gateway.store.size };
  }
}

/** Bytes per stored part: half the roughly 2 MB a Durable Object's SQLite takes in
 * one row, so the row's key and overhead always fit. */
export const PART_BYTES = 1 << 20;

class SqlPersistence implements GroupPersistence {
  constructor(private readonly storage: DurableObjectStorage) {}

  save(g: MetricGroup): void {
    const stamps: Record<string, number> = {};
    for (const [name, sf] of g.families) stamps[name] = sf.timestampMs;
    const body = encodeDelimitedFamilies([...g.families.values()].map((sf) => sf.family));
    const sql = this.storage.sql;
    // One transaction: a group is either all old parts or all new ones.
    this.storage.transactionSync(() => {
      sql.exec(
        "INSERT INTO push_groups (key, labels, push_times) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET labels = excluded.labels, push_times = excluded.push_times",
        g.key,
        JSON.stringify(g.labels),
        JSON.stringify(stamps),
      );
      sql.exec("DELETE FROM push_group_parts WHERE key = ?", g.key);
      for (let seq = 0, off = 0; off < body.length || seq === 0; seq++, off += PART_BYTES) {
        sql.exec("INSERT INTO push_group_parts (key, seq, data) VALUES (?, ?, ?)", g.key, seq, body.slice(off, off + PART_BYTES).buffer);
      }
    });
  }

  remove(key: string): void {
    this.storage.transactionSync(() => {
      this.storage.sql.exec("DELETE FROM push_group_parts WHERE key = ?", key);
      this.storage.sql.exec("DELETE FROM push_groups WHERE key = ?", key);
    });
  }

  /** Every stored group, its parts joined back in order. */
  *load(): Generator<MetricGroup> {
    const parts = new Map<string, Uint8Array[]>();
    for (const row of this.storage.sql.exec<{ key: string; data: ArrayBuffer }>("SELECT key, data FROM push_group_parts ORDER BY key, seq")) {
      let list = parts.get(row.key);
      if (list === undefined) parts.set(row.key, (list = []));
      list.push(new Uint8Array(row.data));
    }
    for (const row of this.storage.sql.exec<{ key: string; labels: string; push_times: string }>("SELECT key, labels, push_times FROM push_groups")) {
      yield groupFromRow(row, concat(parts.get(row.key) ?? []));
    }
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

function groupFromRow(row: { key: string; labels: string; push_times: string }, body: Uint8Array): MetricGroup {
  const stamps = JSON.parse(row.push_times) as Record<string, number>;
  const families = new Map<string, StoredFamily>();
  for (const f of decodeDelimitedFamilies(body)) families.set(f.name, { family: f, timestampMs: stamps[f.name] ?? 0 });
  return { key: row.key, labels: JSON.parse(row.labels) as Record<string, string>, families };
}
