import { CUSTOM_BUCKETS_SCHEMA, FloatHistogram } from "../../model/histogram.js";
import { labelsKey, METRIC_NAME, sortLabels, type Label, type Labels } from "../../model/labels.js";
import { parseGoFloat } from "./numbers.js";
import type { LoadCommand } from "./script.js";

/** `load_with_nhcb`: classic histogram series (`x_bucket{le=..}`, `x_count`, `x_sum`)
 * are also loaded as one native histogram with custom buckets per timestamp (`x`),
 * the way Prometheus converts classic histograms: cumulative bucket counts become
 * per-bucket counts, the count comes from `_count` or else the highest bucket, a
 * missing +Inf bucket is added with that count. Timestamps whose buckets are not
 * cumulative (or disagree with the count) are left out. */

interface Temp {
  buckets: { le: number; count: number }[];
  count: number;
  hasCount: boolean;
  sum: number;
  bad: boolean;
}

const SUFFIXES = ["_bucket", "_sum", "_count"] as const;

export function nhcbSamples(cmd: LoadCommand): { labels: Labels; samples: { t: number; h: FloatHistogram }[] }[] {
  const byBase = new Map<string, { labels: Labels; at: Map<number, Temp> }>();
  for (const s of cmd.series) {
    const name = s.labels.find((l) => l.name === METRIC_NAME)?.value ?? "";
    const suffix = SUFFIXES.find((x) => name.endsWith(x));
    if (suffix === undefined) continue;
    let le = NaN;
    if (suffix === "_bucket") {
      const v = s.labels.find((l) => l.name === "le")?.value;
      const b = v === undefined ? null : parseGoFloat(v);
      if (b === null || Number.isNaN(b)) continue;
      le = b;
    }
    const base: Label[] = [];
    for (const l of s.labels) {
      if (l.name === "le") continue;
      base.push(l.name === METRIC_NAME ? { name: l.name, value: name.slice(0, -suffix.length) } : l);
    }
    const labels = sortLabels(base);
    const key = labelsKey(labels);
    let entry = byBase.get(key);
    if (entry === undefined) byBase.set(key, (entry = { labels, at: new Map() }));
    const { values, omitted } = s.seq;
    for (let i = 0; i < values.length; i++) {
      if (omitted[i] || s.seq.histograms?.[i] !== undefined) continue;
      const t = i * cmd.stepMs;
      let tmp = entry.at.get(t);
      if (tmp === undefined) entry.at.set(t, (tmp = { buckets: [], count: 0, hasCount: false, sum: 0, bad: false }));
      const v = values[i]!;
      if (suffix === "_bucket") setBucket(tmp, le, v);
      else if (suffix === "_count") {
        if (v < 0) tmp.bad = true;
        tmp.count = v;
        tmp.hasCount = true;
      } else tmp.sum = v;
    }
  }
  const out = [];
  for (const { labels, at } of byBase.values()) {
    const samples = [];
    for (const [t, tmp] of [...at.entries()].sort((a, b) => a[0] - b[0])) {
      const h = convert(tmp);
      if (h !== null) samples.push({ t, h });
    }
    out.push({ labels, samples });
  }
  return out;
}

function setBucket(h: Temp, le: number, count: number): void {
  if (h.bad) return;
  if (count < 0) {
    h.bad = true;
    return;
  }
  const i = h.buckets.findIndex((b) => b.le >= le);
  if (i >= 0 && h.buckets[i]!.le === le) return;
  const at = i < 0 ? h.buckets.length : i;
  if (at > 0 && count < h.buckets[at - 1]!.count) h.bad = true;
  else if (i >= 0 && count > h.buckets[i]!.count) h.bad = true;
  else h.buckets.splice(at, 0, { le, count });
}

function convert(tmp: Temp): FloatHistogram | null {
  if (tmp.bad) return null;
  const buckets = tmp.buckets.slice();
  let count = tmp.count;
  if (!tmp.hasCount && buckets.length > 0) count = buckets[buckets.length - 1]!.count;
  if (buckets.length === 0 || buckets[buckets.length - 1]!.le !== Infinity) buckets.push({ le: Infinity, count });
  if (count !== buckets[buckets.length - 1]!.count) return null;
  const h = new FloatHistogram();
  h.schema = CUSTOM_BUCKETS_SCHEMA;
  h.count = count;
  h.sum = tmp.sum;
  h.positiveSpans = [{ offset: 0, length: buckets.length }];
  let prev = 0;
  h.positiveBuckets = buckets.map((b) => {
    const d = b.count - prev;
    prev = b.count;
    return d;
  });
  h.customValues = buckets.length > 1 ? buckets.slice(0, -1).map((b) => b.le) : [];
  return h.compact();
}
