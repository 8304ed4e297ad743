import { DurableObject } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/durable-sqlite";
import { migrate } from "drizzle-orm/durable-sqlite/migrator";
import migrations from "../../migrations/alertmanager/migrations.js";
import { ConfigError } from "../config/errors.js";
import { parseAmConfig, type AmConfig } from "./am_config.js";
import { loadAmConfigText, loadTemplateTexts } from "./am_config_kv.js";
import { AmTemplates, TemplateError } from "./am_template.js";
import { alertmanagerApi } from "./api_v2.js";
import { Dispatcher } from "./dispatcher.js";
import { SqlPersistence } from "./sql_persistence.js";
import type { Hono } from "hono";

export interface AlertmanagerEnv {
  CONFIG: KVNamespace;
  TIER: string;
  /** The tier's public URL; links in notifications point to `<it>/alertmanager`. */
  EXTERNAL_URL?: string;
}

/** How often alertmanager.yml is read again without a reload. */
const CONFIG_TTL_MS = 60_000;
const DEFAULT_EXTERNAL_URL = "http://localhost:9090";

/**
 * The tier's Alertmanager (one object, `<tier>/alertmanager`): the v2 API, the
 * dispatcher with its aggregation groups, silences and notification log in this
 * object's SQLite, and one alarm set to the next group flush or clean-up.
 */
export class Alertmanager extends DurableObject<AlertmanagerEnv> {
  private readonly store: SqlPersistence;
  private readonly dispatcher: Dispatcher;
  private readonly app: Hono;
  private loadedAt = 0;
  private text = "";
  private error = "no alertmanager.yml loaded yet";
  private config: AmConfig | undefined;
  private readonly startedAt = Date.now();

  constructor(ctx: DurableObjectState, env: AlertmanagerEnv) {
    super(ctx, env);
    migrate(drizzle(ctx.storage), migrations);
    this.store = new SqlPersistence(ctx.storage.sql);
    this.dispatcher = new Dispatcher({
      persistence: this.store,
      fetch: (req) => fetch(req),
      externalURL: `${(env.EXTERNAL_URL ?? DEFAULT_EXTERNAL_URL).replace(/\/$/, "")}/alertmanager`,
      log: (e) => console.log(JSON.stringify({ tier: env.TIER, ...e })),
    });
    this.dispatcher.load(this.store.load());
    this.app = alertmanagerApi({
      dispatcher: this.dispatcher,
      now: () => Date.now(),
      ready: async () => {
        await this.ensureConfig(false);
        return { ok: this.config !== undefined, error: this.error };
      },
      reload: () => this.ensureConfig(true),
      configText: () => this.text,
      resolveTimeoutMs: () => this.config?.global.resolveTimeoutMs ?? 300_000,
      startedAt: this.startedAt,
      changed: () => this.arm(),
      newId: () => crypto.randomUUID(),
    });
  }

  override async fetch(req: Request): Promise<Response> {
    return this.app.fetch(req);
  }

  /** Alerts from the tier's own rule evaluator, without an HTTP hop. */
  async receive(req: Request): Promise<Response> {
    return this.app.fetch(req);
  }

  /** For the UI and /metrics: counts of what the object holds. */
  async stats(): Promise<{ alerts: number; groups: number; silences: number; error: string; recent: Dispatcher["recent"] }> {
    await this.ensureConfig(false);
    return { alerts: this.dispatcher.alerts.size, groups: this.dispatcher.groups.size, silences: this.dispatcher.silences.size, error: this.error, recent: this.dispatcher.recent };
  }

  override async alarm(): Promise<void> {
    await this.ensureConfig(false);
    try {
      await this.dispatcher.tick(Date.now());
    } finally {
      await this.arm();
    }
  }

  private async arm(): Promise<void> {
    const next = this.dispatcher.nextWakeup(Date.now());
    const ttl = this.config === undefined ? undefined : Date.now() + CONFIG_TTL_MS;
    const at = next === undefined ? ttl : ttl === undefined ? next : Math.min(next, ttl);
    if (at === undefined) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(Math.max(at, Date.now() + 1));
  }

  /** Reads alertmanager.yml (and its templates) from KV at most once a minute; a
   * broken file keeps the previous configuration, as a failed Alertmanager reload does. */
  private async ensureConfig(force: boolean): Promise<{ ok: boolean; error: string }> {
    if (!force && this.loadedAt > 0 && Date.now() - this.loadedAt < CONFIG_TTL_MS) return { ok: this.error === "", error: this.error };
    this.loadedAt = Date.now();
    const stored = await loadAmConfigText(this.env.CONFIG, this.env.TIER);
    try {
      const cfg = parseAmConfig(stored.text);
      const templates = new AmTemplates(await loadTemplateTexts(this.env.CONFIG as never, cfg.templates));
      const changed = this.store.getMeta("config") !== stored.text;
      const first = this.config === undefined;
      this.dispatcher.setConfig(cfg, templates, changed, Date.now());
      if (changed) this.store.setMeta("config", stored.text);
      this.config = cfg;
      this.text = stored.text;
      this.error = "";
      if (changed || first) await this.arm();
      return { ok: true, error: "" };
    } catch (e) {
      if (!(e instanceof ConfigError) && !(e instanceof TemplateError)) throw e;
      this.error = `${stored.key}: ${e.message}`;
      return { ok: false, error: this.error };
    }
  }
}
