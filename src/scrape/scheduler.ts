import { DurableObject } from "cloudflare:workers";
import { CONFIG_TTL_MS, type Config, type ConfigLoader, type ScrapeConfig } from "../config/index.js";
import { configToYaml } from "../config/print.js";
import { DiscoveryManager } from "../discovery/manager.js";
import { drizzle } from "drizzle-orm/durable-sqlite";
import { migrate } from "drizzle-orm/durable-sqlite/migrator";
import migrations from "../../migrations/scrape_scheduler/migrations.js";
import { moveLegacyKv } from "../durable/legacy_kv.js";
import { Serial } from "../durable/serial.js";
import { rearmingAlarm } from "../durable/alarm.js";
import { discoveryConfigFor } from "../discovery/sd_config.js";
import type { TargetGroup } from "../discovery/target_group.js";
import { LabelsBuilder, labelsFromKey, METRIC_NAME, type Labels } from "../model/labels.js";
import { STALE_NAN } from "../model/sample.js";
import type { Storage } from "../storage/storage.js";
import { meterMethods, UsageMeter, type Usage } from "../tsdb/usage_meter.js";
import { newTargetState, REPORT_SERIES, scrapeOnce, type TargetState } from "./scrape_loop.js";
import { pushgatewayJob } from "./pushgateway_job.js";
import { ScrapeCache } from "./scrape_cache.js";
import { scrapeOffsets } from "./scrape_offsets.js";
import { TargetStateRows } from "./target_state_rows.js";
import { resolveTargets, type ActiveTarget, type DroppedTarget } from "./target_set.js";

/** What a tier hands its scheduler (workers/tier.ts). */
export interface SchedulerWiring {
  readonly name: string;
  readonly config: ConfigLoader;
  /** Storage whose appends also go to the remote_write queues. */
  appendStorage(): Promise<Storage>;
  /** fetch for targets: some hosts are reached through bindings. */
  targetFetch(url: string, init: RequestInit): Promise<Response>;
  /** Where file_sd files live. */
  readonly kv: KVNamespace;
  /** When the tier has a Pushgateway, it is scraped as job "pushgateway". */
  readonly hasPushgateway: boolean;
  log(event: Record<string, unknown>): void;
}

/** When the next alarm comes after one that failed. */
const ALARM_RETRY_MS = 5_000;
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
 * fire once a minute). The targets one alarm scrapes commit together: one request
 * and one SQLite transaction per shard (Storage.appendGroup), each target still
 * answered with its own rejections. Each target's last series set is stored, so a
 * restart still writes stale markers for what vanished. Alarms, reloads and reads
 * that load run one at a time: a status read waits for a running alarm instead of
 * seeing (or racing) its half-done target refresh.
 */
export class ScrapeScheduler extends DurableObject {
  private config: Config | null = null;
  /** The text `config` came from: a change restarts discovery. */
  private configText = "";
  private managers = new Map<string, DiscoveryManager>();
  private active: ActiveTarget[] = [];
  private dropped: DroppedTarget[] = [];
  private discoveryErrors: string[] = [];
  private states = new Map<string, TargetState>();
  /** Each target's scrape cache; in memory only (a restart rebuilds it in one scrape),
   * as storing it with the state would cost more than it saves. */
  private caches = new Map<string, ScrapeCache>();
  private nextDue = new Map<string, number>();
  /** Each active target's offset in its interval (scrapeOffsets), and the target list
   * it was computed for. */
  private offsets = new Map<string, number>();
  private offsetsOf: readonly ActiveTarget[] = [];
  /** Per scrape config, the groups its targets were last resolved from and the
   * result: an alarm comes per target, and discovery mostly hands back the same
   * groups, so targets are relabelled again only when a job's groups changed. */
  private readonly resolved = new WeakMap<ScrapeConfig, { groups: readonly (readonly TargetGroup[])[]; result: ReturnType<typeof resolveTargets> }>();

  /** Requests, stored rows and busy time: a scrape's share of the bill. */
  readonly meter = new UsageMeter();
  private readonly serial = new Serial();
  private readonly rows: TargetStateRows;

  /** The runtime makes the object with (ctx, env); the tier's entry point
   * (workers/objects.ts) adds the wiring. */
  constructor(
    ctx: DurableObjectState,
    env: Env,
    private readonly tier: SchedulerWiring,
  ) {
    super(ctx, env);
    migrate(drizzle(ctx.storage), migrations);
    this.rows = new TargetStateRows(this.meter.sql(ctx.storage.sql));
    moveLegacyKv(ctx.storage, LEGACY_STATE_PREFIX, (k, v) => this.rows.put(k.slice(LEGACY_STATE_PREFIX.length), v as TargetState, undefined));
  }

  /** Called by the cron trigger: keeps the alarm armed. */
  async arm(): Promise<void> {
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now());
  }

  /** POST /-/reload: read the configuration again now. */
  async reload(): Promise<{ ok: boolean; error: string }> {
    const error = await this.serial.run(async () => (await this.loadConfig(true)).error);
    await this.ctx.storage.setAlarm(Date.now());
    return { ok: error === "", error };
  }

  /** The targets as the last alarm left them. Reading them does no discovery and
   * writes nothing; only an object that has not run yet (just created or evicted)
   * resolves its targets first, so the API never answers empty for that reason. */
  async status(): Promise<SchedulerStatus> {
    return this.serial.run(() => this.statusNow());
  }

  private async statusNow(): Promise<SchedulerStatus> {
    if (this.config === null) {
      await this.loadConfig(false);
      await this.refreshTargets(Date.now());
    }
    const cfg = this.tier.config.current();
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
      configKey: cfg.key,
      configError: cfg.error,
      configLoadedAt: cfg.loadedAt,
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
    const { config } = await this.tier.config.get();
    return config === null ? "" : configToYaml(config);
  }

  override async alarm(): Promise<void> {
    await this.serial.run(() =>
      rearmingAlarm(this.ctx.storage, () => this.scrapeDue(), {
        retryMs: ALARM_RETRY_MS,
        log: (error) => this.tier.log({ event: "scrape_alarm_failed", error }),
      }),
    );
  }

  /** Scrapes the targets that are due; returns when the next alarm should come. */
  private async scrapeDue(): Promise<number> {
    const now = Date.now();
    await this.loadConfig(false);
    await this.refreshTargets(now);
    const allDue = this.active.filter((a) => (this.nextDue.get(a.id) ?? 0) <= now);
    const due = allDue.slice(0, MAX_SCRAPES_PER_ALARM);
    const storage = await this.tier.appendStorage();
    const failed = new Set<string>();
    let firstError: unknown;
    for (let i = 0; i < due.length; i += MAX_CONCURRENT_SCRAPES) {
      const batch = due.slice(i, i + MAX_CONCURRENT_SCRAPES);
      // The targets scraped together commit together: one request and one transaction
      // per shard for all of them. None waits for the others past the shortest scrape
      // timeout among them, so a hanging target holds back nobody's samples for
      // longer than a scrape of theirs could take.
      const group = storage.appendGroup?.(Math.min(...batch.map((a) => a.target.timeoutMs)));
      const members = batch.map(() => group?.join());
      await Promise.all(
        batch.map(async (a, k) => {
          const member = members[k];
          const stored = this.stateOf(a.id);
          const before = stored ?? newTargetState();
          let cache = this.caches.get(a.id);
          if (cache === undefined) this.caches.set(a.id, (cache = new ScrapeCache()));
          let after: TargetState;
          try {
            after = await scrapeOnce(a.target, member ?? storage, before, (u, i) => this.tier.targetFetch(u, i), Date.now(), cache);
          } catch (e) {
            // Its commit failed: nothing of this scrape is stored, so its state stays
            // and it is scraped again; the others' scrapes stand.
            failed.add(a.id);
            firstError ??= e;
            return;
          } finally {
            member?.leave();
          }
          this.states.set(a.id, after);
          this.rows.put(a.id, after, stored);
          if (after.lastError !== "") {
            this.tier.log({ event: "scrape", pool: a.target.pool, url: a.target.url, health: after.health, error: after.lastError });
          }
        }),
      );
    }
    for (const a of due) if (!failed.has(a.id)) this.nextDue.set(a.id, nextAfter(now, a.target.intervalMs, this.offsetOf(a)));
    // The alarm fails (logged, retried soon) with the targets whose commit failed.
    if (firstError !== undefined) throw firstError;
    let next = now + CONFIG_TTL_MS;
    for (const a of this.active) next = Math.min(next, this.nextDue.get(a.id) ?? now);
    // Left-over due targets continue in the next invocation right away.
    const soonest = allDue.length > due.length ? Date.now() : Date.now() + 250;
    return Math.max(next, soonest);
  }

  private offsetOf(a: ActiveTarget): number {
    return this.offsets.get(a.id) ?? a.offsetMs;
  }

  private stateOf(id: string): TargetState | undefined {
    let s = this.states.get(id);
    if (s === undefined) {
      s = this.rows.get(id);
      if (s !== undefined) this.states.set(id, s);
    }
    return s;
  }

  /** The tier's configuration; a new one restarts discovery. A bad or missing file
   * keeps the last good configuration running. */
  private async loadConfig(force: boolean): Promise<{ error: string }> {
    const st = await this.tier.config.get(force);
    if (st.config !== null && st.text !== this.configText) {
      this.config = st.config;
      this.configText = st.text;
      this.managers = new Map();
    }
    return st;
  }

  private async refreshTargets(now: number): Promise<void> {
    const cfg = this.config;
    if (cfg === null) return;
    const active: ActiveTarget[] = [];
    const dropped: DroppedTarget[] = [];
    const errors: string[] = [];
    const implicit = this.tier.hasPushgateway ? pushgatewayJob(cfg) : undefined;
    for (const sc of implicit === undefined ? cfg.scrapeConfigs : [...cfg.scrapeConfigs, implicit]) {
      let m = this.managers.get(sc.jobName);
      if (m === undefined) {
        const kv = this.tier.kv;
        m = DiscoveryManager.forScrapeConfig(discoveryConfigFor(sc, (k) => kv.get(k)), {
          fetch: (u, init) => fetch(u, init),
          read: (k) => kv.get(k),
          list: async (prefix) => (await kv.list({ prefix })).keys.map((k) => k.name),
        });
        this.managers.set(sc.jobName, m);
      }
      const statuses = await m.refresh();
      for (const st of statuses) if (st.error !== undefined) errors.push(`${sc.jobName}/${st.name}: ${st.error}`);
      const r = this.resolve(sc, statuses.map((st) => st.groups));
      active.push(...r.active);
      dropped.push(...r.dropped);
      errors.push(...r.errors.map((e) => `${sc.jobName}: ${e}`));
    }
    // Targets that went away: their series end now, as in Prometheus.
    const keep = new Set(active.map((a) => a.id));
    const gone = this.active.filter((a) => !keep.has(a.id));
    if (gone.length > 0) await this.endTargets(gone, now);
    // resolve() hands back the very targets while a job's groups stay the same.
    if (active.length !== this.offsetsOf.length || active.some((a, i) => a !== this.offsetsOf[i])) {
      this.offsets = scrapeOffsets(active, this.tier.name, MAX_CONCURRENT_SCRAPES);
      this.offsetsOf = active;
    }
    for (const a of active) if (!this.nextDue.has(a.id)) this.nextDue.set(a.id, nextAfter(now - a.target.intervalMs, a.target.intervalMs, this.offsetOf(a)));
    this.active = active;
    this.dropped = dropped;
    this.discoveryErrors = errors;
  }

  /** The job's targets from its providers' groups; the last result while every
   * provider still holds the very groups it was computed from. */
  private resolve(sc: ScrapeConfig, groups: readonly (readonly TargetGroup[])[]): ReturnType<typeof resolveTargets> {
    const last = this.resolved.get(sc);
    if (last !== undefined && last.groups.length === groups.length && last.groups.every((g, i) => g === groups[i])) return last.result;
    const result = resolveTargets(sc, groups.flat());
    this.resolved.set(sc, { groups, result });
    return result;
  }

  private async endTargets(gone: ActiveTarget[], now: number): Promise<void> {
    const app = (await this.tier.appendStorage()).appender();
    for (const a of gone) {
      const st = this.stateOf(a.id);
      for (const key of st?.series ?? []) app.append(labelsFromKey(key), now, STALE_NAN);
      for (const name of REPORT_SERIES) app.append(new LabelsBuilder(a.target.labels).set(METRIC_NAME, name).labels(), now, STALE_NAN);
    }
    // The state goes only once the stale markers are stored: a failed commit retries
    // from it on the next alarm.
    await app.commit();
    for (const a of gone) {
      this.states.delete(a.id);
      this.caches.delete(a.id);
      this.nextDue.delete(a.id);
      this.rows.delete(a.id);
    }
  }

}

meterMethods(ScrapeScheduler, ["arm", "reload", "status", "usage", "configYaml", "alarm"]);

/** Where targets' states lived in the key-value API before the tables. */
const LEGACY_STATE_PREFIX = "target:";

/** The next scrape time after `t` on the target's grid (interval, offset). */
function nextAfter(t: number, interval: number, offset: number): number {
  const base = Math.floor((t - offset) / interval) * interval + offset;
  return base + interval;
}
