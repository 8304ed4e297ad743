import type { DtoMetric } from "../textparse/dto.js";
import { formatExpositionFloat } from "../textparse/float.js";
import { lastPushSuccessful, type MetricGroup } from "./metric_store.js";

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

/** `GET /api/v1/metrics`: every group with its labels, whether its last push
 * succeeded, and each family with its push time, type, help and metrics, in the real
 * gateway's shape (values as Go prints them, strings). */
export function groupsJson(groups: Iterable<MetricGroup>): Json[] {
  const out: Json[] = [];
  for (const g of groups) {
    const o: { [k: string]: Json } = { labels: { ...g.labels }, last_push_successful: lastPushSuccessful(g) };
    for (const [name, { family, timestampMs }] of g.families) {
      const f: { [k: string]: Json } = { time_stamp: goTime(timestampMs), type: family.type };
      if (family.help !== "") f["help"] = family.help;
      f["metrics"] = family.metrics.map(metricJson);
      o[name] = f;
    }
    out.push(o);
  }
  return out;
}

function metricJson(m: DtoMetric): Json {
  const labels: { [k: string]: Json } = {};
  for (const l of m.labels) labels[l.name] = l.value;
  if (m.kind === "summary") {
    const quantiles: { [k: string]: Json } = {};
    for (const q of m.quantiles) quantiles[goFloat(q.quantile)] = goFloat(q.value);
    return { count: String(m.sampleCount), labels, quantiles, sum: goFloat(m.sampleSum) };
  }
  if (m.kind === "histogram") {
    const buckets: { [k: string]: Json } = {};
    for (const b of m.buckets) buckets[goFloat(b.upperBound)] = String(b.cumulativeCount);
    return { buckets, count: String(m.sampleCount), labels, sum: goFloat(m.sampleSum) };
  }
  return { labels, value: goFloat(m.kind === "none" ? 0 : m.value) };
}

/** fmt.Sprint of a float64. */
function goFloat(v: number): string {
  return formatExpositionFloat(v);
}

/** A Go time.Time as encoding/json writes it (RFC 3339, fraction without trailing
 * zeros), in UTC. */
export function goTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.replace(/\.(\d*?)0*Z$/, (_, frac: string) => (frac === "" ? "Z" : `.${frac}Z`));
}

/** JSON with object keys sorted as Go's encoding/json sorts map keys (JavaScript
 * would put integer-like keys such as bucket bounds first). */
export function goJson(v: Json): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return "[" + v.map(goJson).join(",") + "]";
  const keys = Object.keys(v).sort();
  return "{" + keys.map((k) => JSON.stringify(k) + ":" + goJson(v[k]!)).join(",") + "}";
}
