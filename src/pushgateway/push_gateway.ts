import { DurableObject } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/durable-sqlite";
import { migrate } from "drizzle-orm/durable-sqlite/migrator";
import migrations from "../../migrations/pushgateway/migrations.js";
import { limitsFrom } from "../model/limits.js";
import { decodeDelimitedFamilies, encodeDelimitedFamilies } from "../textparse/dto_protobuf.js";
import { Gateway, type GroupPersistence } from "./gateway.js";
import type { MetricGroup, StoredFamily } from "./metric_store.js";
import { gatewayApp } from "./http_api.js";
import type { Hono } from "hono";

export interface PushGatewayEnv {
  /** Largest accepted push body in bytes (default 32 MiB). */
  MAX_BODY_BYTES?: string;
}

/** edgeprom's version as the gateway reports it in build info. */
const VERSION = "edgeprom-0.1.0";
const DEFAULT_MAX_BODY = 32 << 20;

/**
 * One tier's Pushgateway (named `${TIER}/pushgateway`). Requests are served one at a
 * time, as the real gateway serialises writes, and every change is written to this
 * object's SQLite before the response leaves, so an acknowledged push survives
 * eviction and restarts. The whole state is loaded when the object starts.
 */
export class PushGateway extends DurableObject<PushGatewayEnv> {
  private readonly gateway: Gateway;
  private readonly app: Hono;

  constructor(ctx: DurableObjectState, env: PushGatewayEnv) {
    super(ctx, env);
    migrate(drizzle(ctx.storage), migrations);
    this.gateway = new Gateway(new SqlPersistence(ctx.storage.sql), VERSION);
    for (const row of ctx.storage.sql.exec<{ key: string; labels: string; families: ArrayBuffer; push_times: string }>("SELECT key, labels, families, push_times FROM push_groups")) {
      this.gateway.store.restore(groupFromRow(row));
    }
    this.app = gatewayApp(this.gateway, { maxBodyBytes: Number(env.MAX_BODY_BYTES ?? DEFAULT_MAX_BODY), limits: limitsFrom(env as Record<string, unknown>) });
  }

  override async fetch(req: Request): Promise<Response> {
    return this.app.fetch(req);
  }

  /** Counts for the tier's /metrics and the UI. */
  async stats(): Promise<{ groups: number }> {
    return { groups: this.gateway.store.size };
  }
}

class SqlPersistence implements GroupPersistence {
  constructor(private readonly sql: SqlStorage) {}

  save(g: MetricGroup): void {
    const stamps: Record<string, number> = {};
    for (const [name, sf] of g.families) stamps[name] = sf.timestampMs;
    const body = encodeDelimitedFamilies([...g.families.values()].map((sf) => sf.family));
    this.sql.exec(
      "INSERT INTO push_groups (key, labels, families, push_times) VALUES (?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET labels = excluded.labels, families = excluded.families, push_times = excluded.push_times",
      g.key,
      JSON.stringify(g.labels),
      body.slice().buffer,
      JSON.stringify(stamps),
    );
  }

  remove(key: string): void {
    this.sql.exec("DELETE FROM push_groups WHERE key = ?", key);
  }
}

function groupFromRow(row: { key: string; labels: string; families: ArrayBuffer; push_times: string }): MetricGroup {
  const stamps = JSON.parse(row.push_times) as Record<string, number>;
  const families = new Map<string, StoredFamily>();
  for (const f of decodeDelimitedFamilies(new Uint8Array(row.families))) families.set(f.name, { family: f, timestampMs: stamps[f.name] ?? 0 });
  return { key: row.key, labels: JSON.parse(row.labels) as Record<string, string>, families };
}
