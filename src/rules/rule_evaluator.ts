import { DurableObject } from "cloudflare:workers";
import { CONFIG_TTL_MS, type ConfigLoader } from "../config/index.js";
import { drizzle } from "drizzle-orm/durable-sqlite";
import { migrate } from "drizzle-orm/durable-sqlite/migrator";
import migrations from "../../migrations/rule_evaluator/migrations.js";
import { rearmingAlarm } from "../durable/alarm.js";
import { moveLegacyKv } from "../durable/legacy_kv.js";
import { Serial } from "../durable/serial.js";
import { Notifier, type AlertmanagerDiscovery } from "../notifier/notifier.js";
import type { Alertmanager } from "../alertmanager/alertmanager_object.js";
import { alertmanagerObjectName, edgeAlertmanagerFetch } from "../alertmanager/mount.js";
import type { NotifierMetrics } from "../notifier/metrics.js";
import type { Engine } from "../promql/engine/engine.js";
import type { Storage } from "../storage/storage.js";
import { RuleManager, type RuleSettings } from "./manager.js";
import { kvRuleFilesIO, loadRuleFiles } from "./rule_loader.js";
import type { RuleMetricsData } from "./rule_metrics.js";
import { RuleStateRows } from "./rule_state_rows.js";
import { LEGACY_GROUP_PREFIX, LEGACY_SERIES_PREFIX, SavedRuleState } from "./saved_state.js";
import type { RulesStatus } from "./views.js";

/** What a tier hands its rule evaluator (workers/tier.ts). */
export interface RulesWiring {
  readonly config: ConfigLoader;
  /** Storage whose appends also go to the remote_write queues, as Prometheus
   * remote-writes rule results. */
  appendStorage(): Promise<Storage>;
  readonly engine: Engine;
  /** Where rule files and file_sd files for Alertmanagers live. */
  readonly kv: KVNamespace;
  /** Prometheus' --web.external-url: where alerts link to, and $externalURL. */
  readonly externalURL: string;
  log(event: Record<string, unknown>): void;
}

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
export class RuleEvaluator extends DurableObject {
  private manager: RuleManager | null = null;
  private configText = "";
  private rulesFingerprint = "";
  private settingsFingerprint = "";
  private loadError = "";
  private loadedAt = 0;
  /** Alerts for the tier's own Alertmanager (host edge-alertmanager) go to its object. */
  private readonly notifier = new Notifier({
    fetch: edgeAlertmanagerFetch(() => {
      const ns = this.env.ALERTMANAGER;
      return ns && ns.get(ns.idFromName(alertmanagerObjectName(this.env.TIER)));
    }) as typeof fetch,
  });
  private readonly saved: SavedRuleState;
  /** Evaluations and reloads run one at a time; reads do not wait for them. */
  private readonly serial = new Serial();

  /** The runtime makes the object with (ctx, env); the tier's entry point
   * (workers/objects.ts) adds the wiring. */
  constructor(
    ctx: DurableObjectState,
    env: Env,
    private readonly tier: RulesWiring,
  ) {
    super(ctx, env);
    migrate(drizzle(ctx.storage), migrations);
    const rows = new RuleStateRows(ctx.storage.sql);
    moveLegacyKv(ctx.storage, LEGACY_GROUP_PREFIX, (k, v) => rows.moveLegacy("group", k.slice(LEGACY_GROUP_PREFIX.length), v));
    moveLegacyKv(ctx.storage, LEGACY_SERIES_PREFIX, (k, v) => rows.moveLegacy("series", k.slice(LEGACY_SERIES_PREFIX.length), v));
    this.saved = new SavedRuleState(rows);
  }

  /** Called by the cron trigger: keeps the alarm armed. */
  async arm(): Promise<void> {
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now());
  }

  /** POST /-/reload: read prometheus.yml and the rule files again now. */
  async reload(): Promise<{ ok: boolean; error: string }> {
    await this.serial.run(() => this.load(true));
    await this.ctx.storage.setAlarm(Date.now());
    return { ok: this.loadError === "", error: this.loadError };
  }

  /** Groups, rules and alerts as the last evaluations left them. */
  async status(): Promise<RulesStatus> {
    if (this.loadedAt === 0) await this.serial.run(() => this.load(false));
    return { loadError: this.loadError, groups: this.manager?.views() ?? [] };
  }

  async alertmanagers(): Promise<AlertmanagerDiscovery> {
    if (this.loadedAt === 0) await this.serial.run(() => this.load(false));
    await this.notifier.refreshAlertmanagers();
    return this.notifier.alertmanagers();
  }

  async metrics(): Promise<RulesMetrics> {
    return { rules: this.manager?.metrics() ?? null, notifier: this.notifier.metrics() };
  }

  override async alarm(): Promise<void> {
    await this.serial.run(() =>
      rearmingAlarm(this.ctx.storage, () => this.evaluateDue(), {
        retryMs: ALARM_RETRY_MS,
        log: (error) => this.log({ event: "rules_alarm_failed", error }),
      }),
    );
  }

  /** Evaluates the groups that are due; returns when the next alarm should come. */
  private async evaluateDue(): Promise<number> {
    let next = Date.now() + CONFIG_TTL_MS;
    await this.load(false);
    const m = this.manager;
    if (m !== null) {
      // Stubs belong to the invocation that made them: each alarm brings its own.
      m.useStorage(await this.tier.appendStorage());
      const due = await m.runDue(Date.now());
      if (due.length > 0) await this.saved.save(m, due);
      await this.notifier.flush();
      next = Math.min(next, m.nextDue());
    }
    return Math.max(next, Date.now() + 1);
  }

  /** Reads prometheus.yml and its rule files; a broken configuration or rule file
   * keeps the previous rules running, as a failed Prometheus reload does. */
  private async load(force: boolean): Promise<void> {
    if (!force && this.loadedAt > 0 && Date.now() - this.loadedAt < CONFIG_TTL_MS) return;
    this.loadedAt = Date.now();
    const errors: string[] = [];
    const { config, text, error } = await this.tier.config.get(force);
    if (error !== "" || config === null) {
      // The loader keeps the last good configuration; so do the rules.
      this.loadError = error;
      return;
    }
    if (text !== this.configText) {
      try {
        await this.notifier.applyConfig(config, this.tier.kv);
      } catch (e) {
        errors.push(`alertmanager configuration: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    this.configText = text;

    const settings: RuleSettings = {
      evaluationIntervalMs: config.global.evaluationInterval,
      queryOffsetMs: config.global.ruleQueryOffset,
      externalLabels: config.global.externalLabels,
      externalURL: this.tier.externalURL,
    };
    const settingsFingerprint = JSON.stringify(settings);
    const unchangedSince = this.manager !== null && settingsFingerprint === this.settingsFingerprint ? this.rulesFingerprint : undefined;
    const rules = await loadRuleFiles(config.ruleFiles, kvRuleFilesIO(this.tier.kv), unchangedSince);
    if (rules.errors.length > 0) {
      errors.push(`error loading rules, previous rule set restored: ${rules.errors.join("; ")}`);
    } else if (!rules.unchanged) {
      const storage = await this.tier.appendStorage();
      const m = this.manager ?? new RuleManager({ storage, engine: this.tier.engine, notify: (alerts) => this.notifier.send(alerts), log: (e) => this.log(e) });
      m.useStorage(storage);
      const first = m.update(rules.files, settings);
      if (first) await this.saved.restore(m, Date.now());
      this.manager = m;
      this.rulesFingerprint = rules.fingerprint;
      this.settingsFingerprint = settingsFingerprint;
      this.log({ event: "rules_loaded", files: rules.files.length, groups: m.list().length });
    }
    this.loadError = errors.join("; ");
    if (this.loadError !== "") this.log({ event: "rules_load_error", error: this.loadError });
  }

  private log(e: Record<string, unknown>): void {
    this.tier.log(e);
  }
}
