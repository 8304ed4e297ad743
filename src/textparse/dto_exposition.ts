import { METRIC_NAME, type Label } from "../model/labels.js";
import type { MetricType } from "../model/metadata.js";
import type { DtoFamily, DtoMetric, DtoType } from "./dto.js";
import type { FamilySample, MetricFamily } from "./family.js";
import { formatExpositionFloat } from "./float.js";

const WRITER_TYPES: Record<DtoType, MetricType> = {
  COUNTER: "counter",
  GAUGE: "gauge",
  SUMMARY: "summary",
  UNTYPED: "unknown",
  HISTOGRAM: "histogram",
  GAUGE_HISTOGRAM: "histogram",
};

/**
 * Flattens structured families into the series the exposition writer prints, in the
 * order client_golang prints them: a summary's quantiles then `_sum` and `_count`; a
 * histogram's buckets (with a `+Inf` bucket from the count when none was given) then
 * `_sum` and `_count`; `quantile` and `le` after the metric's own labels.
 */
export function dtoToFamilies(families: Iterable<DtoFamily>): MetricFamily[] {
  const out: MetricFamily[] = [];
  for (const f of families) {
    const samples: FamilySample[] = [];
    for (const m of f.metrics) flatten(f.name, m, samples);
    out.push({ name: f.name, type: WRITER_TYPES[f.type], help: f.help, samples });
  }
  return out;
}

function flatten(name: string, m: DtoMetric, out: FamilySample[]): void {
  const series = (suffix: string, extra?: Label): Label[] => {
    const ls: Label[] = [{ name: METRIC_NAME, value: name + suffix }, ...m.labels];
    if (extra !== undefined) ls.push(extra);
    return ls;
  };
  const ts = m.timestampMs;
  const push = (labels: Label[], value: number) => out.push(ts === undefined ? { labels, value } : { labels, value, timestamp: ts });
  if (m.kind === "summary") {
    for (const q of m.quantiles) push(series("", { name: "quantile", value: formatExpositionFloat(q.quantile) }), q.value);
    push(series("_sum"), m.sampleSum);
    push(series("_count"), m.sampleCount);
  } else if (m.kind === "histogram") {
    let sawInf = false;
    for (const b of m.buckets) {
      if (b.upperBound === Infinity) sawInf = true;
      push(series("_bucket", { name: "le", value: formatExpositionFloat(b.upperBound) }), b.cumulativeCount);
    }
    if (!sawInf) push(series("_bucket", { name: "le", value: "+Inf" }), m.sampleCount);
    push(series("_sum"), m.sampleSum);
    push(series("_count"), m.sampleCount);
  } else if (m.kind !== "none") push(series(""), m.value);
}
