import { ProtobufError } from "../encoding/protobuf.js";
import { CounterResetHint, EXPONENTIAL_SCHEMA_MAX, FloatHistogram } from "../model/histogram.js";
import { histogramValidationError } from "../model/histogram_validation.js";
import { formatSeries, METRIC_NAME, sortLabels, type Label, type Labels } from "../model/labels.js";
import type { MetricType } from "../model/metadata.js";
import type { DtoExemplar, DtoFamily, DtoLabel, DtoMetric, DtoNativeHistogram, DtoType } from "./dto.js";
import type { Entry, Exemplar, SampleEntry } from "./entry.js";
import { formatOpenMetricsFloat } from "./float.js";

export interface HistogramOptions {
  /** Keep native histograms as such (scrape_native_histograms). Without it a
   * histogram is read from its classic buckets only. */
  nativeHistograms: boolean;
  /** Also keep the classic series of a histogram read as native
   * (always_scrape_classic_histograms). */
  classicHistograms: boolean;
}

const ENTRY_TYPES: Record<DtoType, MetricType> = {
  COUNTER: "counter",
  GAUGE: "gauge",
  SUMMARY: "summary",
  UNTYPED: "unknown",
  HISTOGRAM: "histogram",
  GAUGE_HISTOGRAM: "gaugehistogram",
};

/**
 * The entries a scrape of one client_model family yields, as Prometheus' protobuf
 * parser yields them: HELP and TYPE, then per metric its series; `quantile` and `le`
 * values in OpenMetrics' float form. A histogram with native buckets becomes one
 * native histogram sample (with its timestamped exemplars) when `nativeHistograms`;
 * its classic `_count`, `_sum` and `_bucket` series come when it has no native
 * buckets, when native histograms are off, or with `classicHistograms`. An invalid
 * native histogram throws ProtobufError naming the series and the reason.
 */
export function dtoFamilyEntries(f: DtoFamily, opts: HistogramOptions): Entry[] {
  const out: Entry[] = [];
  if (f.help !== "") out.push({ kind: "help", name: f.name, help: f.help });
  out.push({ kind: "type", name: f.name, type: ENTRY_TYPES[f.type] });
  for (const m of f.metrics) metricEntries(f, m, opts, out);
  return out;
}

function metricEntries(f: DtoFamily, m: DtoMetric, opts: HistogramOptions, out: Entry[]): void {
  const empty = m.labels.filter((l) => l.value === "").map((l) => l.name);
  const emptyLabels = empty.length > 0 ? empty : undefined;
  const timestamp = m.timestampMs;
  const push = (suffix: string, value: number, extra?: Label, exemplar?: DtoExemplar) => {
    const labels = seriesLabels(f.name + suffix, m.labels, extra);
    const e: SampleEntry = { kind: "sample", name: f.name, labels, value, timestamp, emptyLabels, exemplar: exemplar && toExemplar(exemplar) };
    out.push(e);
  };
  switch (f.type) {
    case "COUNTER":
      push("", m.value, undefined, m.exemplar);
      return;
    case "GAUGE":
    case "UNTYPED":
      push("", m.value);
      return;
    case "SUMMARY":
      for (const q of m.quantiles) push("", q.value, { name: "quantile", value: formatOpenMetricsFloat(q.quantile) });
      push("_sum", m.sampleSum);
      push("_count", m.sampleCount);
      return;
    case "HISTOGRAM":
    case "GAUGE_HISTOGRAM": {
      const native = opts.nativeHistograms ? m.native : undefined;
      if (native !== undefined) {
        const labels = seriesLabels(f.name, m.labels);
        const histogram = toFloatHistogram(m, native, f.type === "GAUGE_HISTOGRAM", labels);
        // Exemplars of a native histogram need timestamps (Prometheus drops the others);
        // without any in the exemplars field, the classic buckets' ones stand in.
        const source = native.exemplars.length > 0 ? native.exemplars : m.buckets.flatMap((b) => (b.exemplar ? [b.exemplar] : []));
        const exemplars = source.filter((e) => e.timestampMs !== undefined).map(toExemplar);
        out.push({ kind: "sample", name: f.name, labels, value: 0, timestamp, emptyLabels, histogram, exemplars: exemplars.length > 0 ? exemplars : undefined });
        if (!opts.classicHistograms || m.buckets.length === 0) return;
      }
      push("_count", m.sampleCount);
      push("_sum", m.sampleSum);
      let sawInf = false;
      for (const b of m.buckets) {
        if (b.upperBound === Infinity) sawInf = true;
        push("_bucket", b.cumulativeCount, { name: "le", value: formatOpenMetricsFloat(b.upperBound) }, b.exemplar);
      }
      if (!sawInf) push("_bucket", m.sampleCount, { name: "le", value: "+Inf" });
      return;
    }
  }
}

function seriesLabels(name: string, ls: readonly DtoLabel[], extra?: Label): Labels {
  const out: Label[] = [{ name: METRIC_NAME, value: name }];
  for (const l of ls) if (l.value !== "" && l.name !== METRIC_NAME) out.push({ name: l.name, value: l.value });
  if (extra !== undefined) out.push(extra);
  return sortLabels(out);
}

function toExemplar(e: DtoExemplar): Exemplar {
  return { labels: sortLabels(e.labels.map((l) => ({ name: l.name, value: l.value }))), value: e.value, timestamp: e.timestampMs };
}

function toFloatHistogram(m: DtoMetric, n: DtoNativeHistogram, gauge: boolean, labels: Labels): FloatHistogram {
  let h = FloatHistogram.from({
    counterResetHint: gauge ? CounterResetHint.Gauge : CounterResetHint.Unknown,
    schema: n.schema,
    zeroThreshold: n.zeroThreshold,
    zeroCount: n.zeroCount,
    count: m.sampleCount,
    sum: m.sampleSum,
    positiveSpans: n.positiveSpans.map((s) => ({ ...s })),
    negativeSpans: n.negativeSpans.map((s) => ({ ...s })),
    positiveBuckets: n.positiveCounts.slice(),
    negativeBuckets: n.negativeCounts.slice(),
  });
  // Prometheus keeps at most schema 8 and lowers finer histograms to it on ingest.
  const err = histogramValidationError(h.schema > EXPONENTIAL_SCHEMA_MAX ? FloatHistogram.from({ ...h, schema: EXPONENTIAL_SCHEMA_MAX }) : h, n.integer);
  if (err !== undefined) throw new ProtobufError(`invalid native histogram ${formatSeries(labels)}: ${err}`);
  if (h.schema > EXPONENTIAL_SCHEMA_MAX) {
    const hint = h.counterResetHint;
    h = h.copyToSchema(EXPONENTIAL_SCHEMA_MAX);
    h.counterResetHint = hint;
  }
  h.integer = n.integer;
  return h;
}
