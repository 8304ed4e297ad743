import { resolveAuthHeaders, usesSecretFiles, authHeaders } from "../config/http_auth.js";
import { fileKey } from "../config/kv_keys.js";
import type { Config } from "../config/types.js";
import type { DiscoveryIO } from "../discovery/manager.js";
import { labelsFromRecord, type Labels } from "../model/labels.js";
import { compileRelabelConfigs, type CompiledRelabelConfig } from "../relabel/index.js";
import { relabelAlerts, toQueuedAlert, type Alert, type QueuedAlert } from "./alert.js";
import { postableAlertsJSON } from "./alert_json.js";
import { AlertmanagerSet } from "./alertmanager_set.js";
import { LatencySummary } from "./latency.js";
import type { NotifierMetrics } from "./metrics.js";
import { AlertQueue } from "./queue.js";
import { postAlerts, type FetchFn } from "./sender.js";

export type { Alert } from "./alert.js";

/** Prometheus' --alertmanager.notification-queue-capacity default. */
export const DEFAULT_QUEUE_CAPACITY = 10_000;
/** Prometheus' notifier.DefaultMaxBatchSize. */
export const MAX_BATCH_SIZE = 256;

export interface NotifierOptions {
  fetch?: typeof fetch;
  capacity?: number;
  now?: () => number;
  /** Alerts per POST (default 256, as Prometheus). */
  maxBatchSize?: number;
  /** Where events worth a look go (failed posts, drops); one JSON line each by default. */
  log?: (event: Record<string, unknown>) => void;
}

export interface NotifierStats {
  /** Alerts posted, summed over Alertmanagers, delivered or not (as Prometheus' sent_total). */
  sent: number;
  /** Alerts that will never be delivered: queue overflow, or a batch that some
   * Alertmanager set accepted nowhere (prometheus_notifications_dropped_total). */
  dropped: number;
  /** Alerts in failed posts, summed over Alertmanagers. */
  errors: number;
  queueLength: number;
  capacity: number;
}

export interface AlertmanagerDiscovery {
  activeAlertmanagers: { url: string }[];
  droppedAlertmanagers: { url: string }[];
}

interface PerAlertmanager {
  sent: number;
  errors: number;
  latency: LatencySummary;
  lastError: string;
}

/**
 * Prometheus' notifier.Manager for a Worker: alerts queue up with send() and leave
 * with flush(), which the caller runs after each evaluation (there is no background
 * goroutine in a Durable Object). Each batch of up to 256 alerts goes to every
 * discovered Alertmanager at once; it counts as delivered when every Alertmanager
 * set that was posted to accepted it at least once, otherwise it is dropped and
 * counted, as Prometheus does. The rules engine re-sends firing alerts on its own
 * schedule, so nothing is retried here.
 */
export class Notifier {
  private readonly fetchFn: FetchFn;
  private readonly now: () => number;
  private readonly maxBatchSize: number;
  private readonly log: (event: Record<string, unknown>) => void;
  private readonly queue: AlertQueue<QueuedAlert>;
  private sets: { key: string; set: AlertmanagerSet }[] = [];
  private externalLabels: Labels = [];
  private relabel: CompiledRelabelConfig[] = [];
  private kv: KVNamespace | undefined;
  private droppedTotal = 0;
  private readonly perAm = new Map<string, PerAlertmanager>();
  private inflight: Promise<void> | null = null;

  constructor(opts: NotifierOptions = {}) {
    const f = opts.fetch ?? fetch;
    // Workers' fetch must be called unbound from its global, never as a method.
    this.fetchFn = (url, init) => f(url, init);
    this.now = opts.now ?? Date.now;
    this.maxBatchSize = opts.maxBatchSize ?? MAX_BATCH_SIZE;
    this.log = opts.log ?? ((e) => console.log(JSON.stringify(e)));
    this.queue = new AlertQueue(opts.capacity ?? DEFAULT_QUEUE_CAPACITY);
  }

  /**
   * Takes the alerting section and external labels of a loaded configuration.
   * Alertmanager sets whose configuration did not change keep what they discovered;
   * new ones run discovery once before this returns. `kv` holds file_sd files and
   * credential files (keys named by their paths). Throws, leaving the previous
   * configuration in force, when a set cannot be built.
   */
  async applyConfig(config: Config, kv?: KVNamespace): Promise<void> {
    const relabel = compileRelabelConfigs(config.alerting.alertRelabelConfigs);
    const io = this.discoveryIO(kv !== undefined);
    const old = new Map(this.sets.map((s) => [s.key, s.set]));
    const sets: { key: string; set: AlertmanagerSet }[] = [];
    const fresh: AlertmanagerSet[] = [];
    for (const am of config.alerting.alertmanagers) {
      const key = JSON.stringify(am);
      let set = old.get(key);
      old.delete(key);
      if (set === undefined) {
        set = new AlertmanagerSet(am, io, { now: this.now });
        fresh.push(set);
      }
      sets.push({ key, set });
    }
    this.kv = kv;
    this.relabel = relabel;
    this.externalLabels = labelsFromRecord(config.global.externalLabels);
    this.sets = sets;
    this.logDiscoveryErrors(await Promise.all(fresh.map((s) => s.refresh(true))));
  }

  /** Queues alerts: external labels the alert lacks are added, then
   * alerting.alert_relabel_configs run; alerts they drop vanish. When the queue is
   * full the oldest alerts give way and are counted as dropped. */
  send(alerts: Alert[]): void {
    for (const a of alerts) {
      if (!isTime(a.startsAt) || (a.endsAt !== undefined && !isTime(a.endsAt))) {
        throw new TypeError(`alert ${JSON.stringify(a.labels)}: startsAt and endsAt must be times in ms since the epoch`);
      }
    }
    const kept = relabelAlerts(alerts.map(toQueuedAlert), this.relabel, this.externalLabels);
    if (kept.length === 0) return;
    const dropped = this.queue.push(kept);
    if (dropped > 0) {
      this.droppedTotal += dropped;
      this.log({ event: "notifier_queue_full", dropped, capacity: this.queue.capacity });
    }
  }

  /** Delivers everything queued, batch after batch, refreshing the Alertmanager
   * discovery that is due first. Concurrent calls share one run; alerts queued while
   * it runs are delivered by it too. Never throws: failures are counted. */
  flush(): Promise<void> {
    const running = this.inflight;
    if (running !== null) return running.then(() => (this.queue.length > 0 ? this.flush() : undefined));
    const run = this.drain().finally(() => {
      this.inflight = null;
    });
    this.inflight = run;
    return run;
  }

  /** Runs the Alertmanager discovery that is due (for /api/v1/alertmanagers, which
   * otherwise shows the state of the last flush). */
  async refreshAlertmanagers(): Promise<void> {
    this.logDiscoveryErrors(await Promise.all(this.sets.map((s) => s.set.refresh())));
  }

  /** /api/v1/alertmanagers' data: every set's Alertmanagers, in configuration order. */
  alertmanagers(): AlertmanagerDiscovery {
    const active: { url: string }[] = [];
    const dropped: { url: string }[] = [];
    for (const { set } of this.sets) {
      for (const am of set.alertmanagers) active.push({ url: am.url });
      for (const am of set.droppedAlertmanagers) dropped.push({ url: am.url });
    }
    return { activeAlertmanagers: active, droppedAlertmanagers: dropped };
  }

  get stats(): NotifierStats {
    let sent = 0;
    let errors = 0;
    for (const s of this.perAm.values()) {
      sent += s.sent;
      errors += s.errors;
    }
    return { sent, dropped: this.droppedTotal, errors, queueLength: this.queue.length, capacity: this.queue.capacity };
  }

  /** The figures behind Prometheus' prometheus_notifications_* metrics. */
  metrics(): NotifierMetrics {
    const now = this.now();
    let discovered = 0;
    for (const { set } of this.sets) discovered += set.alertmanagers.length;
    return {
      queueLength: this.queue.length,
      queueCapacity: this.queue.capacity,
      dropped: this.droppedTotal,
      alertmanagersDiscovered: discovered,
      alertmanagers: [...this.perAm].map(([url, s]) => ({ url, sent: s.sent, errors: s.errors, latency: s.latency.snapshot(now), lastError: s.lastError })),
    };
  }

  private async drain(): Promise<void> {
    if (this.queue.length === 0) return;
    await this.refreshAlertmanagers();
    while (this.queue.length > 0) {
      const batch = this.queue.shift(this.maxBatchSize);
      if (!(await this.sendAll(batch))) {
        this.droppedTotal += batch.length;
        this.log({ event: "notifier_batch_dropped", count: batch.length });
      }
    }
  }

  /** Prometheus' sendAll: true when every set that had Alertmanagers and alerts
   * left after its own alert_relabel_configs got the batch into at least one of
   * its Alertmanagers. */
  private async sendAll(batch: QueuedAlert[]): Promise<boolean> {
    const begin = Date.now();
    let shared: string | null = null;
    const covered: boolean[] = [];
    const posts: Promise<void>[] = [];
    for (const { set } of this.sets) {
      const ams = set.alertmanagers;
      if (ams.length === 0) continue;
      let alerts = batch;
      let payload: string;
      if (set.alertRelabel.length > 0) {
        alerts = relabelAlerts(batch, set.alertRelabel, []);
        if (alerts.length === 0) continue;
        payload = postableAlertsJSON(alerts);
      } else {
        payload = shared ??= postableAlertsJSON(batch);
      }
      const k = covered.push(false) - 1;
      // Credential files are read once per batch and set, not once per Alertmanager.
      const headers = this.headersFor(set);
      for (const am of ams) {
        posts.push(
          this.postOne(set, am.url, payload, alerts.length, headers, begin).then((ok) => {
            if (ok) covered[k] = true;
          }),
        );
      }
    }
    await Promise.all(posts);
    return covered.every((c) => c);
  }

  private async postOne(set: AlertmanagerSet, url: string, payload: string, count: number, headers: Promise<Record<string, string>>, begin: number): Promise<boolean> {
    const st = this.statsFor(url);
    let ok = false;
    try {
      await postAlerts(this.fetchFn, url, payload, {
        timeoutMs: set.config.timeout,
        headers: await headers,
        followRedirects: set.config.httpClient.followRedirects,
      });
      st.lastError = "";
      ok = true;
    } catch (e) {
      st.errors += count;
      st.lastError = e instanceof Error ? e.message : String(e);
      this.log({ event: "notifier_send_error", alertmanager: url, count, error: st.lastError });
    }
    st.latency.observe((Date.now() - begin) / 1000, this.now());
    st.sent += count;
    return ok;
  }

  private headersFor(set: AlertmanagerSet): Promise<Record<string, string>> {
    const hc = set.config.httpClient;
    if (!usesSecretFiles(hc)) return Promise.resolve(authHeaders(hc));
    const kv = this.kv;
    return resolveAuthHeaders(hc, kv === undefined ? undefined : (path) => kv.get(fileKey(path)));
  }

  private statsFor(url: string): PerAlertmanager {
    let s = this.perAm.get(url);
    if (s === undefined) this.perAm.set(url, (s = { sent: 0, errors: 0, latency: new LatencySummary(), lastError: "" }));
    return s;
  }

  /** KV access goes through `this.kv`, so sets kept across applyConfig see the
   * namespace of the latest call. */
  private discoveryIO(withKV: boolean): DiscoveryIO {
    const io: { fetch: DiscoveryIO["fetch"]; read?: DiscoveryIO["read"]; list?: DiscoveryIO["list"] } = { fetch: (url, init) => this.fetchFn(url, init ?? {}) };
    if (withKV) {
      io.read = (key) => this.requireKV().get(key);
      io.list = async (prefix) => {
        const kv = this.requireKV();
        const names: string[] = [];
        let cursor: string | undefined;
        for (;;) {
          const page = await kv.list(cursor === undefined ? { prefix } : { prefix, cursor });
          for (const k of page.keys) names.push(k.name);
          if (page.list_complete) return names;
          cursor = page.cursor;
        }
      };
    }
    return io;
  }

  private requireKV(): KVNamespace {
    if (this.kv === undefined) throw new Error("file_sd_configs need the CONFIG KV namespace");
    return this.kv;
  }

  private logDiscoveryErrors(perSet: readonly string[][]): void {
    for (const errors of perSet) for (const error of errors) this.log({ event: "notifier_discovery_error", error });
  }
}

/** A time a Date can hold, so that every queued alert can be marshalled. */
function isTime(ms: number): boolean {
  return Number.isFinite(new Date(ms).getTime());
}
