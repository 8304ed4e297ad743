/**
 * OTLP metrics to Prometheus samples, as Prometheus 3's OTLP receiver translates them
 * by default (UnderscoreEscapingWithSuffixes, no delta ingestion):
 *
 * - gauges and non-monotonic cumulative sums are gauges, monotonic cumulative sums
 *   counters (`_total`); sums, histograms and exponential histograms with delta (or
 *   unspecified) temporality are refused and counted as rejected points;
 * - histograms become classic `_bucket{le}` (cumulative), `_sum` (when set), `_count`;
 *   exponential histograms native histograms (scale above 8 reduced to 8, below -4
 *   refused, OTLP bucket i is Prometheus bucket i+1); summaries `{quantile}`, `_sum`,
 *   `_count`;
 * - point attributes are labels (sanitised; keys that collide are joined with `;`),
 *   `service.namespace/service.name` is `job`, `service.instance.id` `instance`, and
 *   the other resource attributes go to one `target_info` series per resource,
 *   written from the resource's earliest to its latest point every half lookback;
 * - with `promoteScopeMetadata`, `otel_scope_name`, `otel_scope_version`,
 *   `otel_scope_schema_url` and `otel_scope_<attribute>` labels;
 * - the "no recorded value" flag writes Prometheus' stale marker;
 * - exemplars keep `trace_id`, `span_id` and their filtered attributes; a classic
 *   histogram's go to the first bucket whose bound is at least their value.
 */

import { CounterResetHint, FloatHistogram } from "../model/histogram.js";
import { labelsFromPairs, METRIC_NAME, type Label, type Labels } from "../model/labels.js";
import { formatFloat, STALE_NAN } from "../model/sample.js";
import { labelNameOf, metricNameOf, type OtlpMetricType } from "./metric_name.js";
import {
  FLAG_NO_RECORDED_VALUE,
  Temporality,
  type Attribute,
  type ExponentialBuckets,
  type ExponentialHistogramPoint,
  type HistogramPoint,
  type MetricsRequest,
  type OtlpExemplar,
  type OtlpMetric,
  type OtlpScope,
  type SummaryPoint,
} from "./otlp_request.js";

export interface TranslateOptions {
  /** Prometheus' lookback delta: target_info is repeated every half of it. */
  lookbackDeltaMs: number;
  /** Prometheus' `otlp.promote_scope_metadata` (off by default there too). */
  promoteScopeMetadata?: boolean;
}

export interface Exemplar {
  labels: Label[];
  t: number;
  v: number;
}

/** What one request becomes; nothing is written until the caller decides. */
export interface Translation {
  floats: { labels: Labels; t: number; v: number }[];
  histograms: { labels: Labels; t: number; h: FloatHistogram }[];
  exemplars: { labels: Labels; e: Exemplar }[];
  /** Data points Prometheus would not write, and why (first few reasons). */
  rejectedPoints: number;
  errors: string[];
}

const MAX_ERRORS = 10;
const MAX_EXEMPLAR_RUNES = 128;
/** target_info samples per resource at most (a day at the default lookback). */
const MAX_TARGET_INFO_SAMPLES = 576;
const SERVICE_NAME = "service.name";
const SERVICE_NAMESPACE = "service.namespace";
const SERVICE_INSTANCE_ID = "service.instance.id";
/** Prometheus' zero threshold for converted exponential histograms (OTLP's own is
 * not used, as in Prometheus). */
const ZERO_THRESHOLD = 1e-128;

/** The labels every point of a resource and scope carries, before its attributes. */
interface Context {
  scopeLabels: [string, string][];
  job: string | undefined;
  instance: string | undefined;
}

export function translateMetrics(req: MetricsRequest, opts: TranslateOptions): Translation {
  const out: Translation = { floats: [], histograms: [], exemplars: [], rejectedPoints: 0, errors: [] };
  for (const rm of req.resourceMetrics) {
    const attr = (k: string) => rm.resource.find((a) => a.key === k)?.value;
    const name = attr(SERVICE_NAME);
    const ns = attr(SERVICE_NAMESPACE);
    const base: Context = {
      scopeLabels: [],
      job: name === undefined ? undefined : ns === undefined ? name : `${ns}/${name}`,
      instance: attr(SERVICE_INSTANCE_ID),
    };
    let earliest = Infinity;
    let latest = 0;
    for (const sm of rm.scopeMetrics) {
      const ctx: Context = { ...base, scopeLabels: opts.promoteScopeMetadata === true && sm.scope.name !== "" ? scopeLabels(sm.scope) : [] };
      for (const m of sm.metrics) {
        for (const p of points(m)) {
          earliest = Math.min(earliest, p.t);
          latest = Math.max(latest, p.t);
        }
        translateMetric(m, ctx, out);
      }
    }
    targetInfo(rm.resource, base, earliest, latest, opts.lookbackDeltaMs, out);
  }
  return out;
}

function points(m: OtlpMetric): readonly { t: number }[] {
  return m.data.kind === "none" ? [] : m.data.points;
}

function scopeLabels(s: OtlpScope): [string, string][] {
  const out: [string, string][] = [
    ["otel_scope_name", s.name],
    ["otel_scope_version", s.version],
    ["otel_scope_schema_url", s.schemaUrl],
  ];
  for (const a of s.attributes) out.push([labelNameOf("otel_scope_" + a.key), a.value]);
  return out;
}

function reject(out: Translation, n: number, why: string): void {
  out.rejectedPoints += n;
  if (out.errors.length < MAX_ERRORS) out.errors.push(why);
}

/** A point's labels before its name: attributes, then scope labels, job and instance,
 * each later one overriding. Built once per point, shared by its series. */
type BaseLabels = ReadonlyMap<string, string>;

function baseLabels(ctx: Context, attrs: readonly Attribute[]): BaseLabels {
  const m = new Map<string, string>();
  const sorted = attrs.length < 2 ? attrs : [...attrs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const a of sorted) {
    const k = labelNameOf(a.key);
    const prev = m.get(k);
    m.set(k, prev === undefined ? a.value : `${prev};${a.value}`);
  }
  for (const [k, v] of ctx.scopeLabels) m.set(k, v);
  if (ctx.job !== undefined) m.set("job", ctx.job);
  if (ctx.instance !== undefined) m.set("instance", ctx.instance);
  m.delete("");
  return m;
}

/** The series' labels: the base plus its name (and le or quantile); empty values mean
 * no label. */
function seriesLabels(base: BaseLabels, extras: readonly [string, string][]): Labels {
  const m = new Map(base);
  for (const [k, v] of extras) m.set(k.startsWith("__") && k.endsWith("__") && k.length > 4 ? k : labelNameOf(k), v);
  return labelsFromPairs(m);
}

/** Characters (code points) of a string, as OpenMetrics counts exemplar labels. */
function runes(s: string): number {
  return [...s].length;
}

/** Exemplar labels: trace and span ids, then the filtered attributes unless they
 * would take the labels past OpenMetrics' 128 characters (then they are left out). */
function exemplarOf(e: OtlpExemplar): Exemplar {
  const ls: Label[] = [];
  if (e.traceId !== "") ls.push({ name: "trace_id", value: e.traceId });
  if (e.spanId !== "") ls.push({ name: "span_id", value: e.spanId });
  let size = 0;
  for (const l of ls) size += l.name.length + l.value.length;
  for (const a of e.attributes) size += runes(a.key) + runes(a.value);
  if (size <= MAX_EXEMPLAR_RUNES) {
    for (const a of e.attributes) if (a.value !== "" && !ls.some((l) => l.name === a.key)) ls.push({ name: a.key, value: a.value });
  }
  ls.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { labels: ls, t: e.t, v: e.value };
}

function metricType(m: OtlpMetric): OtlpMetricType | undefined {
  switch (m.data.kind) {
    case "gauge":
      return "gauge";
    case "sum":
      return m.data.monotonic ? "monotonic_counter" : "non_monotonic_counter";
    case "histogram":
      return "histogram";
    case "exponential_histogram":
      return "exponential_histogram";
    case "summary":
      return "summary";
    case "none":
      return undefined;
  }
}

function stale(p: { flags: number }): boolean {
  return (p.flags & FLAG_NO_RECORDED_VALUE) !== 0;
}

function translateMetric(m: OtlpMetric, ctx: Context, out: Translation): void {
  const type = metricType(m);
  const d = m.data;
  if (type === undefined || d.kind === "none") {
    reject(out, 0, `metric ${JSON.stringify(m.name)} has no data`);
    return;
  }
  if ((d.kind === "sum" || d.kind === "histogram" || d.kind === "exponential_histogram") && d.temporality !== Temporality.Cumulative) {
    reject(out, d.points.length, `invalid temporality and type combination for metric ${JSON.stringify(m.name)}`);
    return;
  }
  const name = metricNameOf(m.name, m.unit, type);
  if (name === "") {
    reject(out, d.points.length, `normalization for metric ${JSON.stringify(m.name)} resulted in an invalid name`);
    return;
  }
  switch (d.kind) {
    case "gauge":
    case "sum":
      for (const p of d.points) {
        const labels = seriesLabels(baseLabels(ctx, p.attributes), [[METRIC_NAME, name]]);
        out.floats.push({ labels, t: p.t, v: stale(p) ? STALE_NAN : p.value });
        for (const e of p.exemplars) out.exemplars.push({ labels, e: exemplarOf(e) });
      }
      return;
    case "histogram":
      for (const p of d.points) classicHistogram(name, ctx, p, out);
      return;
    case "exponential_histogram":
      for (const p of d.points) {
        const h = nativeHistogram(p);
        if (typeof h === "string") {
          reject(out, 1, `metric ${JSON.stringify(m.name)}: ${h}`);
          continue;
        }
        const labels = seriesLabels(baseLabels(ctx, p.attributes), [[METRIC_NAME, name]]);
        out.histograms.push({ labels, t: p.t, h });
        for (const e of p.exemplars) out.exemplars.push({ labels, e: exemplarOf(e) });
      }
      return;
    case "summary":
      for (const p of d.points) summary(name, ctx, p, out);
      return;
  }
}

function classicHistogram(name: string, ctx: Context, p: HistogramPoint, out: Translation): void {
  const base = baseLabels(ctx, p.attributes);
  const s = stale(p);
  const t = p.t;
  if (p.sum !== undefined) out.floats.push({ labels: seriesLabels(base, [[METRIC_NAME, `${name}_sum`]]), t, v: s ? STALE_NAN : p.sum });
  out.floats.push({ labels: seriesLabels(base, [[METRIC_NAME, `${name}_count`]]), t, v: s ? STALE_NAN : p.count });
  const exemplars = p.exemplars.map(exemplarOf).sort((a, b) => (a.v < b.v ? -1 : a.v > b.v ? 1 : 0));
  let next = 0;
  let cumulative = 0;
  const bucket = (le: string, bound: number, count: number) => {
    const labels = seriesLabels(base, [[METRIC_NAME, `${name}_bucket`], ["le", le]]);
    out.floats.push({ labels, t, v: s ? STALE_NAN : count });
    while (next < exemplars.length && exemplars[next]!.v <= bound) out.exemplars.push({ labels, e: exemplars[next++]! });
  };
  // Bounds without a count (a malformed point) make no bucket, as in Prometheus.
  const n = Math.min(p.explicitBounds.length, p.bucketCounts.length);
  for (let i = 0; i < n; i++) {
    cumulative += p.bucketCounts[i]!;
    bucket(formatFloat(p.explicitBounds[i]!), p.explicitBounds[i]!, cumulative);
  }
  bucket("+Inf", Infinity, p.count);
  // NaN-valued exemplars fit no bucket; they stay with the +Inf one.
  const inf = out.floats[out.floats.length - 1]!.labels;
  while (next < exemplars.length) out.exemplars.push({ labels: inf, e: exemplars[next++]! });
}

function summary(name: string, ctx: Context, p: SummaryPoint, out: Translation): void {
  const base = baseLabels(ctx, p.attributes);
  const s = stale(p);
  const t = p.t;
  out.floats.push({ labels: seriesLabels(base, [[METRIC_NAME, `${name}_sum`]]), t, v: s ? STALE_NAN : p.sum });
  out.floats.push({ labels: seriesLabels(base, [[METRIC_NAME, `${name}_count`]]), t, v: s ? STALE_NAN : p.count });
  for (const q of p.quantiles) {
    out.floats.push({ labels: seriesLabels(base, [[METRIC_NAME, name], ["quantile", formatFloat(q.quantile)]]), t, v: s ? STALE_NAN : q.value });
  }
}

/** One span over all of OTLP's buckets, shifted by one (OTLP's bucket i is
 * (base^i, base^(i+1)], Prometheus' i is (base^(i-1), base^i]). */
function spanOf(b: ExponentialBuckets) {
  return b.counts.length === 0 ? { spans: [], buckets: [] } : { spans: [{ offset: b.offset + 1, length: b.counts.length }], buckets: b.counts.slice() };
}

/** The native histogram of an exponential histogram point, or why there is none. */
export function nativeHistogram(p: ExponentialHistogramPoint): FloatHistogram | string {
  if (p.scale < -4) return `cannot convert exponential to native histogram: scale must be >= -4, was ${p.scale}`;
  const pos = spanOf(p.positive);
  const neg = spanOf(p.negative);
  let h = FloatHistogram.from({
    counterResetHint: CounterResetHint.Unknown,
    schema: p.scale,
    zeroThreshold: ZERO_THRESHOLD,
    zeroCount: p.zeroCount,
    count: p.count,
    sum: p.sum ?? 0,
    positiveSpans: pos.spans,
    positiveBuckets: pos.buckets,
    negativeSpans: neg.spans,
    negativeBuckets: neg.buckets,
  });
  // Finer scales are merged down to Prometheus' finest schema.
  if (p.scale > 8) h = h.copyToSchema(8);
  h.compact();
  if (stale(p)) h.sum = STALE_NAN;
  // OTLP counts are whole numbers: Prometheus stores these as integer histograms.
  h.integer = true;
  return h;
}

/** target_info for a resource with job or instance and attributes beyond the ones
 * they come from, from its earliest to its latest point every half lookback delta. */
function targetInfo(resource: readonly Attribute[], ctx: Context, earliest: number, latest: number, lookbackMs: number, out: Translation): void {
  const rest = resource.filter((a) => a.key !== SERVICE_NAME && a.key !== SERVICE_NAMESPACE && a.key !== SERVICE_INSTANCE_ID);
  // Without job or instance nothing could join target_info to the series.
  if (rest.length === 0 || latest === 0 || (ctx.job === undefined && ctx.instance === undefined)) return;
  const labels = seriesLabels(baseLabels({ ...ctx, scopeLabels: [] }, rest), [[METRIC_NAME, "target_info"]]);
  const step = Math.max(1, Math.floor(lookbackMs / 2));
  // A point without a time (0) would otherwise ask for decades of samples.
  const first = Math.max(earliest, latest - MAX_TARGET_INFO_SAMPLES * step);
  for (let t = first; t < latest; t += step) out.floats.push({ labels, t, v: 1 });
  out.floats.push({ labels, t: latest, v: 1 });
}
