import { DurableObject } from "cloudflare:workers";
import { ConfigError, loadConfigFromKV, type Config } from "../config/index.js";
import { Notifier, type AlertmanagerDiscovery } from "../notifier/notifier.js";
import type { Alertmanager } from "../alertmanager/alertmanager_object.js";
import { alertmanagerObjectName, edgeAlertmanagerFetch } from "../alertmanager/mount.js";
import type { NotifierMetrics } from "../notifier/metrics.js";
import { Engine } from "../promql/engine/engine.js";
import type { RemoteWriteQueue } from "../remote/remote_write_queue.js";
import { remoteWriteTargets, teeStorage } from "../remote/tee_appender.js";
import { ShardedStorage, shardClients } from "../storage/sharded_storage.js";
import type { Storage } from "../storage/storage.js";
import type { SeriesStore } from "../tsdb/series_store.js";
import { RuleManager, type RuleSettings } from "./manager.js";
import { kvRuleFilesIO, loadRuleFiles } from "./rule_loader.js";
import type { RuleMetricsData } from "./rule_metrics.js";
import { SavedRuleState } from "./saved_state.js";
import type { RulesStatus } from "./views.js";

export interface RulesEnv {
  SERIES: DurableObjectNamespace<SeriesStore>;
  CONFIG: KVNamespace;
  TIER: string;
  SHARDS?: string;
  REMOTE_WRITE?: DurableObjectNamespace<RemoteWriteQueue>;
  LOCATION_HINT?: string;
  /** The tier's Alertmanager, which prometheus.yml names as `edge-alertmanager`. */
  ALERTMANAGER?: DurableObjectNamespace<Alertmanager>;
  /** Prometheus' --web.external-url: where alerts link to, and $externalURL. */
  EXTERNAL_URL?: string;
}

/** Prometheus' default external URL is its own listen address. */
export const DEFAULT_EXTERNAL_URL = "http://localhost:9090";
/** How often prometheus.yml and the rule files are read again without a reload. */
const CONFIG_TTL_MS = 60_000;
/** When the next alarm comes after one that failed. */
const ALARM_RETRY_MS = 5_000;

export interface RulesMetrics {
  rules: RuleMetricsData | null;
  notifier: NotifierMetrics;
}

/**
 * The tier's rule evaluation (one object per tier, `<tier>/rules`): loads the rule
 * files prometheus.yml names from KV, evaluates each group on an alarm at the
 * group's slot, writes results to the tier's storage (and its remote_write queues),
 * and hands alerts to Alertmanager. Its state survives evictions and restarts in
 * the object's own storage (see saved_state.ts).
 */
export class RuleEvaluator extends DurableObject<RulesEnv> {
  private manager: RuleManager | null = null;
  private config: Config | null = null;
  private configText = "";
  private rulesFingerprint = "";
  private settingsFingerprint = "";
  private loadError = "";
  private loadedAt = 0;
  private readonly engine = new Engine();
  /** Alerts for the tier's own Alertmanager (host edge-alertmanager) go to its object. */
  private readonly notifier = new Notifier({
    fetch: edgeAlertmanagerFetch(() => {
      const ns = this.env.ALERTMANAGER;
      return ns && ns.get(ns.idFromName(alertmanagerObjectName(this.env.TIER)));
    }) as typeof fetch,
  });
  private readonly saved = new SavedRuleState(this.ctx.storage);
  /** Evaluations and reloads run one at a time; reads do not wait for them. */
  private queue: Promise<unknown> = Promise.resolve();

  /** Called by the cron trigger: keeps the alarm armed. */
  async arm(): Promise<void> {
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now());
  }

  /** POST /-/reload: read prometheus.yml and the rule files again now. */
  async reload(): Promise<{ ok: boolean; error: string }> {
    await this.exclusive(() => this.load(true));
    await this.ctx.storage.setAlarm(Date.now());
    return { ok: this.loadError === "", error: this.loadError };
  }

  /** Groups, rules and alerts as the last evaluations left them. */
  async status(): Promise<RulesStatus> {
    if (this.loadedAt === 0) await this.exclusive(() => this.load(false));
    return { loadError: this.loadError, groups: this.manager?.views() ?? [] };
  }

  async alertmanagers(): Promise<AlertmanagerDiscovery> {
    if (this.loadedAt === 0) await this.exclusive(() => this.load(false));
    await this.notifier.refreshAlertmanagers();
    return this.notifier.alertmanagers();
  }

  async metrics(): Promise<RulesMetrics> {
    return { rules: this.manager?.metrics() ?? null, notifier: this.notifier.metrics() };
  }

  override async alarm(): Promise<void> {
    await this.exclusive(async () => {
      let next = Date.now() + CONFIG_TTL_MS;
      try {
        await this.load(false);
        const m = this.manager;
        if (m !== null) {
          m.useStorage(this.storage());
          const due = await m.runDue(Date.now());
          if (due.length > 0) await this.saved.save(m, due);
          await this.notifier.flush();
          next = Math.min(next, m.nextDue());
        }
      } catch (e) {
        // A failed alarm is retried only a few times before the runtime gives up on
        // it; the evaluator re-arms itself instead, so evaluations never stop.
        this.log({ event: "rules_alarm_failed", error: e instanceof Error ? e.message : String(e) });
        next = Date.now() + ALARM_RETRY_MS;
      } finally {
        await this.ctx.storage.setAlarm(Math.max(next, Date.now() + 1));
      }
    });
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The tier's storage: a fresh set of shard stubs per invocation; results also go
   * to the remote_write queues, as Prometheus remote-writes rule results. */
  private storage(): Storage {
    const base = new ShardedStorage(shardClients(this.env.SERIES, this.env.TIER, Number(this.env.SHARDS ?? "1"), this.env.LOCATION_HINT));
    const rw = this.env.REMOTE_WRITE;
    if (rw === undefined) return base;
    return teeStorage(base, remoteWriteTargets(this.config, this.env.TIER, (name) => rw.get(rw.idFromName(name))));
  }

  /** Reads prometheus.yml and its rule files; a broken configuration or rule file
   * keeps the previous rules running, as a failed Prometheus reload does. */
  private async load(force: boolean): Promise<void> {
    if (!force && this.loadedAt > 0 && Date.now() - this.loadedAt < CONFIG_TTL_MS) return;
    this.loadedAt = Date.now();
    const errors: string[] = [];
    let config: Config;
    let text: string;
    try {
      const loaded = await loadConfigFromKV(this.env.CONFIG, this.env.TIER);
      config = loaded.config;
      text = loaded.text;
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      this.loadError = e.message;
      this.log({ event: "rules_config_error", error: e.message });
      return;
    }
    if (text !== this.configText) {
      try {
        await this.notifier.applyConfig(config, this.env.CONFIG);
      } catch (e) {
        errors.push(`alertmanager configuration: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    this.config = config;
    this.configText = text;

    const rules = await loadRuleFiles(config.ruleFiles, kvRuleFilesIO(this.env.CONFIG));
    if (rules.errors.length > 0) {
      errors.push(`error loading rules, previous rule set restored: ${rules.errors.join("; ")}`);
    } else {
      const settings: RuleSettings = {
        evaluationIntervalMs: config.global.evaluationInterval,
        queryOffsetMs: config.global.ruleQueryOffset,
        externalLabels: config.global.externalLabels,
        externalURL: (this.env.EXTERNAL_URL ?? DEFAULT_EXTERNAL_URL).replace(/\/+$/, ""),
      };
      const settingsFingerprint = JSON.stringify(settings);
      if (this.manager === null || rules.fingerprint !== this.rulesFingerprint || settingsFingerprint !== this.settingsFingerprint) {
        const m = this.manager ?? new RuleManager({ storage: this.storage(), engine: this.engine, notify: (alerts) => this.notifier.send(alerts), log: (e) => this.log(e) });
        m.useStorage(this.storage());
        const first = m.update(rules.files, settings);
        if (first) await this.saved.restore(m, Date.now());
        this.manager = m;
        this.rulesFingerprint = rules.fingerprint;
        this.settingsFingerprint = settingsFingerprint;
        this.log({ event: "rules_loaded", files: rules.files.length, groups: m.list().length });
      }
    }
    this.loadError = errors.join("; ");
    if (this.loadError !== "") this.log({ event: "rules_load_error", error: this.loadError });
  }

  private log(e: Record<string, unknown>): void {
    console.log(JSON.stringify({ tier: this.env.TIER, ...e }));
  }
}
