import type { DtoFamily, DtoLabel, DtoMetric, DtoType } from "../textparse/dto.js";
import { newDtoMetric } from "../textparse/dto.js";
import { ConsistencyIndex, joinErrors } from "./consistency.js";
import { groupingKeyFor, type GroupingLabels } from "./grouping_key.js";

export const PUSH_TIME = "push_time_seconds";
export const PUSH_FAILURE_TIME = "push_failure_time_seconds";
const PUSH_TIME_HELP = "Last Unix time when changing this group in the Pushgateway succeeded.";
const PUSH_FAILURE_TIME_HELP = "Last Unix time when changing this group in the Pushgateway failed.";

/** A family as pushed into a group, with the time of the push that stored it. */
export interface StoredFamily {
  family: DtoFamily;
  timestampMs: number;
}

export interface MetricGroup {
  key: string;
  labels: GroupingLabels;
  families: Map<string, StoredFamily>;
}

export type PushResult = { ok: true; group: MetricGroup } | { ok: false; error: string; group: MetricGroup };

/** A push's outcome before it is committed: the group as it will be, and the
 * families leaving and entering the consistency index. */
export type PlannedPush = PushResult & { removed: DtoFamily[]; added: DtoFamily[] };

/** Families the gateway exposes about itself: pushes may not change their type, and
 * their help strings win over pushed ones. */
export type OwnFamilies = ReadonlyMap<string, { type: DtoType; help: string }>;

/**
 * The Pushgateway's state: groups keyed by their grouping labels, each holding the
 * families its pushes stored. PUT replaces a group's families, POST only the families
 * it carries; both stamp `push_time_seconds`, and a rejected push stamps
 * `push_failure_time_seconds` instead and changes nothing else. Pure and synchronous:
 * the Durable Object around it persists each changed group.
 */
export class MetricStore {
  private readonly byKey = new Map<string, MetricGroup>();
  private readonly index: ConsistencyIndex;

  constructor(private readonly own: OwnFamilies) {
    this.index = new ConsistencyIndex(own);
  }

  groups(): IterableIterator<MetricGroup> {
    return this.byKey.values();
  }

  get size(): number {
    return this.byKey.size;
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  /** Puts back a group read from storage. */
  restore(group: MetricGroup): void {
    this.byKey.set(group.key, group);
    for (const sf of group.families.values()) this.index.add(sf.family);
  }

  /** Plans and applies a push at once (for callers with nothing to persist). */
  push(labels: GroupingLabels, families: DtoFamily[], replace: boolean, nowMs: number): PushResult {
    const p = this.plan(labels, families, replace, nowMs);
    this.commit(p);
    return p;
  }

  /**
   * What a push would make of its group, leaving the store untouched: the caller
   * persists `group` and only then commits, so a failed write changes nothing that is
   * served.
   */
  plan(labels: GroupingLabels, families: DtoFamily[], replace: boolean, nowMs: number): PlannedPush {
    if (families.some((f) => f.metrics.some((m) => m.timestampMs !== undefined))) {
      return this.failed(labels, nowMs, "pushed metrics must not have timestamps");
    }
    for (const f of families) for (const m of f.metrics) m.labels = sanitizeLabels(m.labels, labels);
    const key = groupingKeyFor(labels);
    const group = this.byKey.get(key);
    const incoming = [...families.filter((f) => f.name !== PUSH_TIME && f.name !== PUSH_FAILURE_TIME), timestampGauge(PUSH_TIME, PUSH_TIME_HELP, labels, nowMs)];
    // A pushed family with a push-time name is overwritten by the gateway's own,
    // exactly as the real gateway's map assignment does.
    if (group?.families.has(PUSH_FAILURE_TIME) !== true) incoming.push(timestampGauge(PUSH_FAILURE_TIME, PUSH_FAILURE_TIME_HELP, labels, 0));
    const replaced = new Map<string, DtoFamily>();
    if (group !== undefined) {
      for (const [name, sf] of group.families) {
        const overwritten = incoming.some((f) => f.name === name);
        if (overwritten || (replace && name !== PUSH_TIME && name !== PUSH_FAILURE_TIME)) replaced.set(name, sf.family);
      }
    }
    const errs = this.index.check(incoming, replaced);
    if (errs.length > 0) return this.failed(labels, nowMs, joinErrors(errs));
    const next = copyGroup(group, key, labels);
    for (const name of replaced.keys()) next.families.delete(name);
    for (const f of incoming) next.families.set(f.name, { family: f, timestampMs: nowMs });
    return { ok: true, group: next, removed: [...replaced.values()], added: incoming };
  }

  /** Makes a planned push what the store serves. */
  commit(p: PlannedPush): void {
    for (const f of p.removed) this.index.remove(f);
    for (const f of p.added) this.index.add(f);
    this.byKey.set(p.group.key, p.group);
  }

  /** Removes the group with exactly these grouping labels; returns it if it existed. */
  delete(labels: GroupingLabels): MetricGroup | undefined {
    const key = groupingKeyFor(labels);
    const g = this.byKey.get(key);
    if (g === undefined) return undefined;
    for (const sf of g.families.values()) this.index.remove(sf.family);
    this.byKey.delete(key);
    return g;
  }

  /** Every family of every group merged by name, sorted as client_golang exposes
   * them (families by name; metrics by label count, then label values), with the
   * gateway's own families. */
  gather(ownFamilies: readonly DtoFamily[]): DtoFamily[] {
    const merged = new Map<string, DtoFamily>();
    for (const f of ownFamilies) merged.set(f.name, { ...f, metrics: [...f.metrics] });
    const groups = [...this.byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const g of groups) {
      for (const { family } of g.families.values()) {
        const have = merged.get(family.name);
        if (have === undefined) merged.set(family.name, { ...family, help: this.own.get(family.name)?.help ?? family.help, metrics: [...family.metrics] });
        else have.metrics.push(...family.metrics);
      }
    }
    const out = [...merged.values()].filter((f) => f.metrics.length > 0);
    out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const f of out) f.metrics.sort(compareMetrics);
    return out;
  }

  /** A rejected push: the group (created if new) gets a failure time and keeps
   * whatever else it had. */
  private failed(labels: GroupingLabels, nowMs: number, error: string): PlannedPush {
    const key = groupingKeyFor(labels);
    const group = this.byKey.get(key);
    const next = copyGroup(group, key, labels);
    const removed: DtoFamily[] = [];
    const added: DtoFamily[] = [];
    const set = (f: DtoFamily) => {
      const old = next.families.get(f.name);
      if (old !== undefined) removed.push(old.family);
      added.push(f);
      next.families.set(f.name, { family: f, timestampMs: nowMs });
    };
    set(timestampGauge(PUSH_FAILURE_TIME, PUSH_FAILURE_TIME_HELP, labels, nowMs));
    if (!next.families.has(PUSH_TIME)) set(timestampGauge(PUSH_TIME, PUSH_TIME_HELP, labels, 0));
    return { ok: false, error, group: next, removed, added };
  }
}

/** A group's next state in its own object, so the served one stays as it is until
 * the change is committed. */
function copyGroup(group: MetricGroup | undefined, key: string, labels: GroupingLabels): MetricGroup {
  return { key, labels: { ...(group?.labels ?? labels) }, families: new Map(group?.families) };
}

/** Whether the group's last push succeeded (no failure newer than the last success). */
export function lastPushSuccessful(g: MetricGroup): boolean {
  const fail = g.families.get(PUSH_FAILURE_TIME)?.family.metrics[0]?.value;
  const ok = g.families.get(PUSH_TIME)?.family.metrics[0]?.value;
  return fail === undefined || ok === undefined || fail <= ok;
}

/**
 * Every grouping label set on the metric (overriding a pushed value of the same
 * name), an empty `instance` added when there is none, labels sorted: what the real
 * gateway does to each pushed metric.
 */
function sanitizeLabels(pushed: DtoLabel[], grouping: GroupingLabels): DtoLabel[] {
  const notDone = new Map(Object.entries(grouping));
  const labels = pushed.map((l) => ({ name: l.name, value: l.value }));
  let hasInstance = false;
  for (const l of labels) {
    const v = notDone.get(l.name);
    if (v !== undefined) {
      l.value = v;
      notDone.delete(l.name);
    }
    if (l.name === "instance") hasInstance = true;
  }
  for (const [name, value] of notDone) {
    labels.push({ name, value });
    if (name === "instance") hasInstance = true;
  }
  if (!hasInstance) labels.push({ name: "instance", value: "" });
  return labels.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function timestampGauge(name: string, help: string, labels: GroupingLabels, ms: number): DtoFamily {
  const m = newDtoMetric(sanitizeLabels([], labels), "gauge");
  m.value = ms / 1000;
  return { name, help, type: "GAUGE", metrics: [m] };
}

/** client_golang's metric order: fewer labels first, then label values in order. */
function compareMetrics(a: DtoMetric, b: DtoMetric): number {
  if (a.labels.length !== b.labels.length) return a.labels.length - b.labels.length;
  for (let i = 0; i < a.labels.length; i++) {
    const x = a.labels[i]!.value;
    const y = b.labels[i]!.value;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
