import { DurableObject } from "cloudflare:workers";
import { ConfigError, loadConfigFromKV, type Config } from "../config/index.js";
import { configToYaml } from "../config/print.js";
import { DiscoveryManager } from "../discovery/manager.js";
import { discoveryConfigFor } from "../discovery/sd_config.js";
import type { TargetGroup } from "../discovery/target_group.js";
import { LabelsBuilder, labelsFromKey, METRIC_NAME, type Labels } from "../model/labels.js";
import { STALE_NAN } from "../model/sample.js";
import type { RemoteWriteQueue } from "../remote/remote_write_queue.js";
import { ShardedStorage, shardClients } from "../storage/sharded_storage.js";
import type { Storage } from "../storage/storage.js";
import { remoteWriteTargets, teeStorage } from "../remote/tee_appender.js";
import type { SeriesStore } from "../tsdb/series_store.js";
import { meterMethods, UsageMeter, type Usage } from "../tsdb/usage_meter.js";
import { newTargetState, REPORT_SERIES, scrapeOnce, type TargetState } from "./scrape_loop.js";
import { PUSHGATEWAY_HOST, pushgatewayJob, pushgatewayObjectName } from "./pushgateway_job.js";
import { resolveTargets, type ActiveTarget, type DroppedTarget } from "./target_set.js";

export interface SchedulerEnv {
  SERIES: DurableObjectNamespace<SeriesStore>;
  CONFIG: KVNamespace;
  TIER: string;
  SHARDS?: string;
  REMOTE_WRITE?: DurableObjectNamespace<RemoteWriteQueue>;
  /** JSON object: target host -> name of a service binding that serves it. Scrapes of
   * those hosts go through the binding instead of the network (the local federation's
   * global tier reaches its regions this way; deployed Workers of one account can too). */
  SERVICE_TARGETS?: string;
  /** Durable Object location hint for this tier's objects (e.g. "weur", "enam"). */
  LOCATION_HINT?: string;
  /** The tier's Pushgateway: when bound, it is scraped as job "pushgateway". */
  PUSHGATEWAY?: DurableObjectNamespace;
}

/** How often the configuration is read again from KV without a reload. */
const CONFIG_TTL_MS = 60_000;
/** Scrapes run at most this many at once, and at most MAX_SCRAPES_PER_ALARM in one
 * alarm invocation: a Worker invocation has a CPU budget and a subrequest limit, so
 * a large target set is worked through over several back-to-back alarms. */
const MAX_CONCURRENT_SCRAPES = 16;
const MAX_SCRAPES_PER_ALARM = 200;

export interface TargetView {
  pool: string;
  url: string;
  labels: Labels;
  discoveredLabels: Labels;
  intervalMs: number;
  timeoutMs: number;
  state: TargetState;
}

export interface SchedulerStatus {
  configKey: string;
  configError: string;
  configLoadedAt: number;
  active: TargetView[];
  dropped: DroppedTarget[];
  discoveryErrors: string[];
}

/**
 * The region's retrieval half: keeps prometheus.yml from KV, runs discovery, and
 * scrapes every target at its interval from Durable Object alarms (cron triggers only
 * fire once a minute). Each target's last series set is stored, so a restart still
 * writes stale markers for what vanished.
 */
export class ScrapeScheduler extends DurableObject<SchedulerEnv> {
  private config: Config | null = null;
  private configKey = "";
  private configText = "";
  private configError = "";
  private configLoadedAt = 0;
  private managers = new Map<string, DiscoveryManager>();
  private active: ActiveTarget[] = [];
  private dropped: DroppedTarget[] = [];
  private discoveryErrors: string[] = [];
  private states = new Map<string, TargetState>();
  private nextDue = new Map<string, number>();

  private readonly targetFetch = serviceFetch(this.env);
  /** Requests, stored rows and busy time: a scrape's share of the bill. */
  readonly meter = new UsageMeter();

  /** Called by the cron trigger: keeps the alarm armed. */
  async arm(): Promise<void> {
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now());
  }

  /** POST /-/reload: read the configuration again now. */
  async reload(): Promise<{ ok: boolean; error: string }> {
    await this.loadConfig(true);
    await this.ctx.storage.setAlarm(Date.now());
    return { ok: this.configError === "", error: this.configError };
  }

  /** The targets as the last alarm left them. Reading them does no discovery and
   * writes nothing; only an object that has not run yet (just created or evicted)
   * resolves its targets first, so the API never answers empty for that reason. */
  async status(): Promise<SchedulerStatus> {
    if (this.config === null) {
      await this.loadConfig(false);
      await this.refreshTargets(Date.now());
    }
    const active: TargetView[] = [];
    for (const a of this.active) {
      active.push({
        pool: a.target.pool,
        url: a.target.url,
        labels: a.target.labels,
        discoveredLabels: a.discoveredLabels,
        intervalMs: a.target.intervalMs,
        timeoutMs: a.target.timeoutMs,
        state: (await this.stateOf(a.id)) ?? newTargetState(),
      });
    }
    return {
      configKey: this.configKey,
      configError: this.configError,
      configLoadedAt: this.configLoadedAt,
      active,
      dropped: this.dropped,
      discoveryErrors: this.discoveryErrors,
    };
  }

  usage(): Usage {
    return this.meter.usage();
  }

  /** The loaded configuration with secrets masked, for /api/v1/status/config. */
  async configYaml(): Promise<string> {
    await this.loadConfig(false);
    return this.config === null ? "" : configToYaml(this.config);
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    await this.loadConfig(false);
    await this.refreshTargets(now);
    const allDue = this.active.filter((a) => (this.nextDue.get(a.id) ?? 0) <= now);
    const due = allDue.slice(0, MAX_SCRAPES_PER_ALARM);
    const storage = this.storage();
    for (let i = 0; i < due.length; i += MAX_CONCURRENT_SCRAPES) {
      await Promise.all(
        due.slice(i, i + MAX_CONCURRENT_SCRAPES).map(async (a) => {
          const before = (await this.stateOf(a.id)) ?? newTargetState();
          const after = await scrapeOnce(a.target, storage, before, this.targetFetch, Date.now());
          this.states.set(a.id, after);
          await this.ctx.storage.put(stateKey(a.id), after);
          this.meter.kvRows(0, 1);
          if (after.lastError !== "") {
            console.log(JSON.stringify({ tier: this.env.TIER, event: "scrape", pool: a.target.pool, url: a.target.url, health: after.health, error: after.lastError }));
          }
        }),
      );
    }
    for (const a of due) this.nextDue.set(a.id, nextAfter(now, a.target.intervalMs, a.offsetMs));
    let next = now + CONFIG_TTL_MS;
    for (const a of this.active) next = Math.min(next, this.nextDue.get(a.id) ?? now);
    // Left-over due targets continue in the next invocation right away.
    const soonest = allDue.length > due.length ? Date.now() : Date.now() + 250;
    await this.ctx.storage.setAlarm(Math.max(next, soonest));
  }

  /** The tier's storage; appends also go to the remote_write queues. */
  private storage(): Storage {
    const base = new ShardedStorage(shardClients(this.env.SERIES, this.env.TIER, Number(this.env.SHARDS ?? "1"), this.env.LOCATION_HINT));
    const rw = this.env.REMOTE_WRITE;
    if (rw === undefined) return base;
    return teeStorage(base, remoteWriteTargets(this.config, this.env.TIER, (name) => rw.get(rw.idFromName(name))));
  }

  private async stateOf(id: string): Promise<TargetState | undefined> {
    let s = this.states.get(id);
    if (s === undefined) {
      s = await this.ctx.storage.get<TargetState>(stateKey(id));
      this.meter.kvRows(1, 0);
      if (s !== undefined) this.states.set(id, s);
    }
    return s;
  }

  private async loadConfig(force: boolean): Promise<void> {
    if (!force && Date.now() - this.configLoadedAt < CONFIG_TTL_MS && this.configLoadedAt > 0) return;
    this.configLoadedAt = Date.now();
    try {
      const loaded = await loadConfigFromKV(this.env.CONFIG, this.env.TIER);
      this.configError = "";
      if (loaded.text === this.configText) return;
      this.config = loaded.config;
      this.configKey = loaded.key;
      this.configText = loaded.text;
      this.managers = new Map();
      console.log(JSON.stringify({ tier: this.env.TIER, event: "config_loaded", key: loaded.key, jobs: loaded.config.scrapeConfigs.length }));
    } catch (e) {
      // A bad or missing file keeps the last good configuration running.
      this.configError = e instanceof ConfigError ? e.message : String(e);
      console.log(JSON.stringify({ tier: this.env.TIER, event: "config_error", error: this.configError }));
    }
  }

  private async refreshTargets(now: number): Promise<void> {
    const cfg = this.config;
    if (cfg === null) return;
    const active: ActiveTarget[] = [];
    const dropped: DroppedTarget[] = [];
    const errors: string[] = [];
    const implicit = this.env.PUSHGATEWAY === undefined ? undefined : pushgatewayJob(cfg);
    for (const sc of implicit === undefined ? cfg.scrapeConfigs : [...cfg.scrapeConfigs, implicit]) {
      let m = this.managers.get(sc.jobName);
      if (m === undefined) {
        m = DiscoveryManager.forScrapeConfig(discoveryConfigFor(sc, (k) => this.env.CONFIG.get(k)), {
          fetch: (u, init) => fetch(u, init),
          read: (k) => this.env.CONFIG.get(k),
          list: async (prefix) => (await this.env.CONFIG.list({ prefix })).keys.map((k) => k.name),
        });
        this.managers.set(sc.jobName, m);
      }
      const statuses = await m.refresh();
      const groups: TargetGroup[] = [];
      for (const st of statuses) {
        groups.push(...st.groups);
        if (st.error !== undefined) errors.push(`${sc.jobName}/${st.name}: ${st.error}`);
      }
      const r = resolveTargets(sc, groups);
      active.push(...r.active);
      dropped.push(...r.dropped);
      errors.push(...r.errors.map((e) => `${sc.jobName}: ${e}`));
    }
    // Targets that went away: their series end now, as in Prometheus.
    const keep = new Set(active.map((a) => a.id));
    const gone = this.active.filter((a) => !keep.has(a.id));
    if (gone.length > 0) await this.endTargets(gone, now);
    for (const a of active) if (!this.nextDue.has(a.id)) this.nextDue.set(a.id, nextAfter(now - a.target.intervalMs, a.target.intervalMs, a.offsetMs));
    this.active = active;
    this.dropped = dropped;
    this.discoveryErrors = errors;
  }

  private async endTargets(gone: ActiveTarget[], now: number): Promise<void> {
    const storage = this.storage();
    const app = storage.appender();
    for (const a of gone) {
      const st = await this.stateOf(a.id);
      for (const key of st?.series ?? []) app.append(labelsFromKey(key), now, STALE_NAN);
      for (const name of REPORT_SERIES) app.append(new LabelsBuilder(a.target.labels).set(METRIC_NAME, name).labels(), now, STALE_NAN);
      this.states.delete(a.id);
      this.nextDue.delete(a.id);
      await this.ctx.storage.delete(stateKey(a.id));
      this.meter.kvRows(0, 1);
    }
    await app.commit();
  }
}

meterMethods(ScrapeScheduler, ["arm", "reload", "status", "usage", "configYaml", "alarm"]);

function stateKey(id: string): string {
  return "target:" + id;
}

/** The next scrape time after `t` on the target's grid (interval, offset). */
function nextAfter(t: number, interval: number, offset: number): number {
  const base = Math.floor((t - offset) / interval) * interval + offset;
  return base + interval;
}

/** fetch, except for hosts that SERVICE_TARGETS maps to a service binding, and the
 * tier's own Pushgateway, reached through its Durable Object binding. */
export function serviceFetch(env: SchedulerEnv): (url: string, init: RequestInit) => Promise<Response> {
  const routes = new Map<string, Pick<Fetcher, "fetch">>();
  const gw = env.PUSHGATEWAY;
  if (gw !== undefined) {
    const opts = env.LOCATION_HINT ? { locationHint: env.LOCATION_HINT as DurableObjectLocationHint } : undefined;
    // A stub belongs to the request that made it, so each scrape makes its own.
    routes.set(PUSHGATEWAY_HOST, { fetch: (u: RequestInfo | URL, i?: RequestInit) => gw.get(gw.idFromName(pushgatewayObjectName(env.TIER)), opts).fetch(u, i) });
  }
  if (env.SERVICE_TARGETS) {
    for (const [host, binding] of Object.entries(JSON.parse(env.SERVICE_TARGETS) as Record<string, string>)) {
      const f = (env as unknown as Record<string, Fetcher | undefined>)[binding];
      if (f !== undefined) routes.set(host, f);
    }
  }
  return (url, init) => {
    const via = routes.size === 0 ? undefined : routes.get(new URL(url).host);
    return via === undefined ? fetch(url, init) : via.fetch(url, init);
  };
}
