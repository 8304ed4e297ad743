import type { Family, FamilySample } from "../telemetry/registry.js";

/** The rule manager's own figures, under Prometheus' metric names so that existing
 * dashboards and the Prometheus mixin's alerts (rule evaluation failures, missed
 * iterations, slow groups) work unchanged. The RuleEvaluator returns them as plain
 * data over RPC; the tier's /metrics renders them with {@link ruleFamilies}. */

export interface GroupFigures {
  iterationsMissed: number;
  iterationsScheduled: number;
  evaluations: number;
  failures: number;
  intervalSeconds: number;
  lastEvaluationTimestampSeconds: number;
  lastDurationSeconds: number;
  lastRuleDurationSumSeconds: number;
  lastRestoreDurationSeconds: number;
  rules: number;
  lastSamples: number;
}

export interface HistogramData {
  buckets: number[];
  counts: number[];
  sum: number;
  count: number;
}

export interface RuleMetricsData {
  /** By rule_group label, `file;name` as Prometheus' GroupKey. */
  groups: Record<string, GroupFigures>;
  ruleDuration: HistogramData;
  groupDuration: HistogramData;
}

/** Prometheus' buckets for both evaluation duration histograms. */
const BUCKETS = [0.01, 0.1, 1, 10];

function histogram(): HistogramData {
  return { buckets: BUCKETS, counts: BUCKETS.map(() => 0), sum: 0, count: 0 };
}

function observe(h: HistogramData, v: number): void {
  for (let i = 0; i < h.buckets.length; i++) if (v <= h.buckets[i]!) h.counts[i]!++;
  h.sum += v;
  h.count++;
}

export class RuleMetrics {
  private readonly groups = new Map<string, GroupFigures>();
  private readonly ruleDuration = histogram();
  private readonly groupDuration = histogram();

  group(key: string): GroupFigures {
    let g = this.groups.get(key);
    if (g === undefined) {
      g = {
        iterationsMissed: 0,
        iterationsScheduled: 0,
        evaluations: 0,
        failures: 0,
        intervalSeconds: 0,
        lastEvaluationTimestampSeconds: 0,
        lastDurationSeconds: 0,
        lastRuleDurationSumSeconds: 0,
        lastRestoreDurationSeconds: 0,
        rules: 0,
        lastSamples: 0,
      };
      this.groups.set(key, g);
    }
    return g;
  }

  /** Forgets groups that are no longer configured, as Prometheus deletes their series. */
  retain(keys: ReadonlySet<string>): void {
    for (const k of [...this.groups.keys()]) if (!keys.has(k)) this.groups.delete(k);
  }

  observeRule(seconds: number): void {
    observe(this.ruleDuration, seconds);
  }

  observeGroup(seconds: number): void {
    observe(this.groupDuration, seconds);
  }

  snapshot(): RuleMetricsData {
    const groups: Record<string, GroupFigures> = {};
    for (const [k, g] of this.groups) groups[k] = { ...g };
    const copy = (h: HistogramData): HistogramData => ({ ...h, counts: [...h.counts] });
    return { groups, ruleDuration: copy(this.ruleDuration), groupDuration: copy(this.groupDuration) };
  }
}

function histogramSamples(h: HistogramData): FamilySample[] {
  const out: FamilySample[] = h.buckets.map((b, i) => ({ suffix: "_bucket", labels: [{ name: "le", value: String(b) }], value: h.counts[i]! }));
  out.push({ suffix: "_bucket", labels: [{ name: "le", value: "+Inf" }], value: h.count });
  out.push({ suffix: "_sum", labels: [], value: h.sum });
  out.push({ suffix: "_count", labels: [], value: h.count });
  return out;
}

export function ruleFamilies(d: RuleMetricsData): Family[] {
  const entries = Object.entries(d.groups).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const per = (name: string, help: string, type: Family["type"], value: (g: GroupFigures) => number): Family => ({
    name,
    help,
    type,
    samples: entries.map(([key, g]) => ({ suffix: "", labels: [{ name: "rule_group", value: key }], value: value(g) })),
  });
  return [
    { name: "prometheus_rule_evaluation_duration_histogram_seconds", help: "The duration for a rule to execute.", type: "histogram", samples: histogramSamples(d.ruleDuration) },
    { name: "prometheus_rule_group_duration_histogram_seconds", help: "The duration of rule group evaluations.", type: "histogram", samples: histogramSamples(d.groupDuration) },
    per("prometheus_rule_group_iterations_missed_total", "The total number of rule group evaluations missed due to slow rule group evaluation.", "counter", (g) => g.iterationsMissed),
    per("prometheus_rule_group_iterations_total", "The total number of scheduled rule group evaluations, whether executed or missed.", "counter", (g) => g.iterationsScheduled),
    per("prometheus_rule_evaluations_total", "The total number of rule evaluations.", "counter", (g) => g.evaluations),
    per("prometheus_rule_evaluation_failures_total", "The total number of rule evaluation failures.", "counter", (g) => g.failures),
    per("prometheus_rule_group_interval_seconds", "The interval of a rule group.", "gauge", (g) => g.intervalSeconds),
    per("prometheus_rule_group_last_evaluation_timestamp_seconds", "The timestamp of the last rule group evaluation in seconds.", "gauge", (g) => g.lastEvaluationTimestampSeconds),
    per("prometheus_rule_group_last_duration_seconds", "The duration of the last rule group evaluation.", "gauge", (g) => g.lastDurationSeconds),
    per("prometheus_rule_group_last_rule_duration_sum_seconds", "The sum of time in seconds it took to evaluate each rule in the group.", "gauge", (g) => g.lastRuleDurationSumSeconds),
    per("prometheus_rule_group_last_restore_duration_seconds", "The duration of the last alert rules alerts restoration using the `ALERTS_FOR_STATE` series.", "gauge", (g) => g.lastRestoreDurationSeconds),
    per("prometheus_rule_group_rules", "The number of rules.", "gauge", (g) => g.rules),
    per("prometheus_rule_group_last_evaluation_samples", "The number of samples returned during the last rule group evaluation.", "gauge", (g) => g.lastSamples),
  ];
}
