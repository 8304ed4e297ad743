// The Alertmanager proper, free of Durable Object details: the alert store, routing
// into aggregation groups, the group timers (group_wait, group_interval), the mute
// stages (inhibition, time intervals, silences), deduplication against the
// notification log, and the notifications. Every change is handed to a Persistence so
// the object that hosts it survives restarts; time is always passed in.
import { compareAlerts, putAlert, resolvedAt, type AmAlert } from "./alert.js";
import type { AmConfig, AmReceiver } from "./am_config.js";
import type { AmMatcher } from "./am_matcher.js";
import { quote } from "../model/quote.js";
import type { AmTemplates } from "./am_template.js";
import { needsUpdate, NFLOG_RETENTION_MS, nflogKey, type NflogEntry } from "./dedup.js";
import { labelSetString } from "./fingerprint.js";
import { inhibitedBy } from "./inhibitor.js";
import { integrationsFor } from "./integrations.js";
import type { Integration } from "./integration.js";
import { groupLabels, matchRoutes, walkRoutes, type Route } from "./route.js";
import { compileSilenceMatchers, silencedBy, type Silence } from "./silence.js";
import { intervalContains } from "./time_interval.js";

export interface AggrGroup {
  /** Alertmanager's group key: `<route key>:<group labels>`. */
  key: string;
  routeKey: string;
  receiver: string;
  labels: Record<string, string>;
  alerts: Record<string, AmAlert>;
  nextFlushAt: number;
  hasFlushed: boolean;
  /** Set when the last alert left; the next maintenance tick removes the group. */
  emptySince?: number;
}

export interface Persistence {
  saveAlert(a: AmAlert): void;
  deleteAlert(fp: string): void;
  saveGroup(g: AggrGroup): void;
  deleteGroup(key: string): void;
  saveNflog(key: string, e: NflogEntry): void;
  deleteNflog(key: string): void;
  saveSilence(s: Silence): void;
  deleteSilence(id: string): void;
}

export interface LoadedState {
  alerts: AmAlert[];
  groups: AggrGroup[];
  nflog: [string, NflogEntry][];
  silences: Silence[];
}

export interface DispatcherDeps {
  persistence: Persistence;
  fetch: (req: Request) => Promise<Response>;
  externalURL: string;
  log?: (event: Record<string, unknown>) => void;
}

/** Alertmanager removes empty groups and resolved alerts on these ticks. */
export const MAINTENANCE_MS = 30_000;
export const ALERT_GC_MS = 30 * 60_000;
/** How long expired silences are kept (Alertmanager's --data.retention). */
export const SILENCE_RETENTION_MS = NFLOG_RETENTION_MS;

export interface NotificationRecord {
  at: number;
  groupKey: string;
  receiver: string;
  integration: string;
  ok: boolean;
  error?: string;
}

export class Dispatcher {
  readonly alerts = new Map<string, AmAlert>();
  readonly groups = new Map<string, AggrGroup>();
  readonly nflog = new Map<string, NflogEntry>();
  readonly silences = new Map<string, Silence>();
  /** The latest notification attempts, newest last, for the UI and logs. */
  readonly recent: NotificationRecord[] = [];
  private config: AmConfig | undefined;
  private templates: AmTemplates | undefined;
  private routesByKey = new Map<string, Route>();
  private receivers = new Map<string, AmReceiver>();
  private integrations = new Map<string, Integration[]>();
  private readonly silenceMatchers = new WeakMap<Silence, AmMatcher[]>();
  private lastGcAt = 0;

  constructor(private readonly deps: DispatcherDeps) {}

  load(state: LoadedState): void {
    for (const a of state.alerts) this.alerts.set(a.fingerprint, a);
    for (const g of state.groups) this.groups.set(g.key, g);
    for (const [k, e] of state.nflog) this.nflog.set(k, e);
    for (const s of state.silences) this.silences.set(s.id, s);
  }

  get currentConfig(): AmConfig | undefined {
    return this.config;
  }

  /** A new configuration: routes and receivers change, so the groups are rebuilt from
   * the alerts held, as Alertmanager's reload does; the notification log keeps
   * already-notified groups quiet. `changed` is false when the same file is re-applied. */
  setConfig(cfg: AmConfig, templates: AmTemplates, changed: boolean, now: number): void {
    this.config = cfg;
    this.templates = templates;
    this.routesByKey.clear();
    walkRoutes(cfg.route, (r) => this.routesByKey.set(r.key, r));
    this.receivers = new Map(cfg.receivers.map((r) => [r.name, r]));
    this.integrations = new Map(cfg.receivers.map((r) => [r.name, integrationsFor(r)]));
    if (!changed) return;
    for (const key of this.groups.keys()) this.deps.persistence.deleteGroup(key);
    this.groups.clear();
    for (const a of this.alerts.values()) this.route(a, now);
  }

  // ---- alerts in ---------------------------------------------------------------

  /** Alerts from the API, already validated and given their times. */
  put(alerts: AmAlert[], now: number): void {
    for (const a of alerts) {
      const merged = putAlert(this.alerts.get(a.fingerprint), a);
      this.alerts.set(merged.fingerprint, merged);
      this.deps.persistence.saveAlert(merged);
      this.route(merged, now);
    }
  }

  private route(a: AmAlert, now: number): void {
    if (this.config === undefined) return;
    for (const r of matchRoutes(this.config.route, a.labels)) {
      const labels = groupLabels(r.opts, a.labels);
      const key = `${r.key}:${labelSetString(labels, quote)}`;
      let g = this.groups.get(key);
      if (g === undefined) {
        g = { key, routeKey: r.key, receiver: r.opts.receiver, labels, alerts: {}, nextFlushAt: now + r.opts.groupWaitMs, hasFlushed: false };
        this.groups.set(key, g);
      }
      g.alerts[a.fingerprint] = a;
      if (g.emptySince !== undefined) {
        // An emptied group's timer kept ticking every group_interval: resume on its beat.
        const iv = r.opts.groupIntervalMs;
        if (g.nextFlushAt < now) g.nextFlushAt += Math.ceil((now - g.nextFlushAt) / iv) * iv;
        delete g.emptySince;
      }
      // An alert that started more than group_wait ago is sent at once.
      if (!g.hasFlushed && a.startsAt + r.opts.groupWaitMs < now) g.nextFlushAt = Math.min(g.nextFlushAt, now);
      this.deps.persistence.saveGroup(g);
    }
  }

  // ---- time --------------------------------------------------------------------

  /** When the hosting object must call tick() next, or undefined when nothing waits. */
  nextWakeup(now: number): number | undefined {
    let next: number | undefined;
    const at = (t: number) => (next = next === undefined ? t : Math.min(next, t));
    for (const g of this.groups.values()) {
      if (g.emptySince !== undefined) at(nextMaintenance(g.emptySince));
      else at(g.nextFlushAt);
    }
    if (this.alerts.size > 0 || this.silences.size > 0 || this.nflog.size > 0) at(Math.max(now, this.lastGcAt + ALERT_GC_MS));
    return next;
  }

  /** Flushes every group that is due, then does the periodic clean-ups. */
  async tick(now: number): Promise<void> {
    const due = [...this.groups.values()].filter((g) => g.nextFlushAt <= now && g.emptySince === undefined);
    await Promise.all(due.map((g) => this.flush(g, now)));
    for (const g of [...this.groups.values()]) {
      if (g.emptySince !== undefined && nextMaintenance(g.emptySince) <= now) {
        this.groups.delete(g.key);
        this.deps.persistence.deleteGroup(g.key);
      }
    }
    if (now - this.lastGcAt >= ALERT_GC_MS) this.gc(now);
  }

  private gc(now: number): void {
    this.lastGcAt = now;
    for (const a of [...this.alerts.values()]) {
      if (!resolvedAt(a, now)) continue;
      this.alerts.delete(a.fingerprint);
      this.deps.persistence.deleteAlert(a.fingerprint);
    }
    for (const [k, e] of [...this.nflog]) {
      if (e.timestamp + NFLOG_RETENTION_MS > now) continue;
      this.nflog.delete(k);
      this.deps.persistence.deleteNflog(k);
    }
    for (const s of [...this.silences.values()]) {
      if (s.endsAt + SILENCE_RETENTION_MS > now) continue;
      this.silences.delete(s.id);
      this.deps.persistence.deleteSilence(s.id);
    }
  }

  private async flush(g: AggrGroup, now: number): Promise<void> {
    const route = this.routesByKey.get(g.routeKey);
    if (route === undefined) return;
    g.nextFlushAt = now + route.opts.groupIntervalMs;
    g.hasFlushed = true;
    this.deps.persistence.saveGroup(g);
    // Firing alerts go out without an end time, so they do not resolve in transit.
    const snapshot = Object.values(g.alerts)
      .map((a) => (resolvedAt(a, now) ? a : { ...a, endsAt: 0 }))
      .sort(compareAlerts);
    const ok = await this.notify(g, route, snapshot, now);
    if (!ok) return;
    let changed = false;
    for (const a of snapshot) {
      const cur = g.alerts[a.fingerprint];
      // Only resolved alerts that did not change while the notification was in flight.
      if (a.endsAt === 0 || cur === undefined || cur.updatedAt !== a.updatedAt) continue;
      delete g.alerts[a.fingerprint];
      changed = true;
    }
    if (!changed || this.groups.get(g.key) !== g) return;
    if (Object.keys(g.alerts).length === 0) g.emptySince = now;
    this.deps.persistence.saveGroup(g);
  }

  /** Whether the route's time intervals mute it now. */
  private timeMuted(route: Route, now: number): boolean {
    const intervals = this.config?.timeIntervals ?? new Map();
    const inAny = (names: string[]) => names.some((n) => (intervals.get(n) ?? []).some((ti: Parameters<typeof intervalContains>[0]) => intervalContains(ti, now)));
    if (route.opts.activeTimeIntervals.length > 0 && !inAny(route.opts.activeTimeIntervals)) return true;
    return route.opts.muteTimeIntervals.length > 0 && inAny(route.opts.muteTimeIntervals);
  }

  /** The notification pipeline for one group; false when an integration failed (the
   * group's resolved alerts are then kept for the next flush). */
  private async notify(g: AggrGroup, route: Route, snapshot: AmAlert[], now: number): Promise<boolean> {
    const receiver = this.receivers.get(g.receiver);
    if (receiver === undefined || this.templates === undefined) return true;
    const rules = this.config?.inhibitRules ?? [];
    let alerts = snapshot.filter((a) => inhibitedBy(rules, this.alerts.values(), a.labels, now).length === 0);
    if (alerts.length === 0 || this.timeMuted(route, now)) return true;
    alerts = alerts.filter((a) => this.silencedBy(a.labels, now).length === 0);
    if (alerts.length === 0) return true;

    const firing = new Set(alerts.filter((a) => !resolvedAt(a, now)).map((a) => a.fingerprint));
    const resolved = new Set(alerts.filter((a) => resolvedAt(a, now)).map((a) => a.fingerprint));
    const ctx = { groupKey: g.key, receiver: g.receiver, groupLabels: g.labels, externalURL: this.deps.externalURL, templates: this.templates, fetch: this.deps.fetch, now };
    const results = await Promise.all(
      (this.integrations.get(g.receiver) ?? []).map(async (integ) => {
        const key = nflogKey(g.key, g.receiver, integ.name, integ.index);
        if (!needsUpdate(this.nflog.get(key), firing, resolved, integ.sendResolved, route.opts.repeatIntervalMs, now)) return true;
        // Without send_resolved, resolved alerts are not sent, but the log still
        // records them so the next dedup sees the group's current state.
        const send = integ.sendResolved ? alerts : alerts.filter((a) => firing.has(a.fingerprint));
        try {
          if (send.length > 0) await integ.notify(ctx, send);
        } catch (e) {
          this.record({ at: now, groupKey: g.key, receiver: g.receiver, integration: integ.name, ok: false, error: (e as Error).message });
          return false;
        }
        if (send.length > 0) this.record({ at: now, groupKey: g.key, receiver: g.receiver, integration: integ.name, ok: true });
        const entry = { firing: [...firing], resolved: [...resolved], timestamp: now };
        this.nflog.set(key, entry);
        this.deps.persistence.saveNflog(key, entry);
        return true;
      }),
    );
    return results.every(Boolean);
  }

  private record(r: NotificationRecord): void {
    this.recent.push(r);
    if (this.recent.length > 100) this.recent.shift();
    this.deps.log?.({ event: "notify", ...r });
  }

  // ---- silences and status -------------------------------------------------------

  silencedBy(labels: Readonly<Record<string, string>>, now: number): string[] {
    return silencedBy(this.silences.values(), labels, now, (s) => {
      let m = this.silenceMatchers.get(s);
      if (m === undefined) this.silenceMatchers.set(s, (m = compileSilenceMatchers(s.matchers)));
      return m;
    });
  }

  inhibitedBy(labels: Readonly<Record<string, string>>, now: number): string[] {
    return inhibitedBy(this.config?.inhibitRules ?? [], this.alerts.values(), labels, now);
  }

  saveSilence(s: Silence): void {
    this.silences.set(s.id, s);
    this.deps.persistence.saveSilence(s);
  }

  /** The receivers an alert is routed to, in route order. */
  receiversFor(labels: Readonly<Record<string, string>>): string[] {
    if (this.config === undefined) return [];
    return matchRoutes(this.config.route, labels).map((r) => r.opts.receiver);
  }
}

function nextMaintenance(now: number): number {
  return Math.floor(now / MAINTENANCE_MS) * MAINTENANCE_MS + MAINTENANCE_MS;
}
