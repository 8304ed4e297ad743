import { METRIC_NAME } from "../model/labels.js";
import type { MetricType } from "../model/metadata.js";
import { newDtoMetric, type DtoFamily, type DtoLabel, type DtoMetric, type DtoType } from "./dto.js";
import { ParseError } from "./errors.js";
import { parseGoFloat } from "./float.js";
import { ExpositionParser } from "./parser.js";

/** A text exposition that cannot become metric families; the message is worded as
 * client_golang's text parser words it, which is what push clients show users. */
export class FamilyParseError extends Error {
  override readonly name = "FamilyParseError";
}

const TYPE_NAMES: Partial<Record<MetricType, DtoType>> = {
  counter: "COUNTER",
  gauge: "GAUGE",
  summary: "SUMMARY",
  histogram: "HISTOGRAM",
  unknown: "UNTYPED",
};

/**
 * Parses the text format 0.0.4 into structured families the way client_golang's
 * TextParser does: families are found by name (their samples need not be adjacent),
 * a summary's `_sum`/`_count` and a histogram's `_bucket`/`_sum`/`_count` samples join
 * the metric with the same labels (minus `quantile`/`le`), and untyped is the default.
 */
export function parseTextFamilies(text: string): DtoFamily[] {
  const parser = new ExpositionParser("text");
  const byName = new Map<string, DtoFamily>();
  const grouped = new Map<DtoFamily, Map<string, DtoMetric>>();
  const family = (name: string): DtoFamily => {
    let f = byName.get(name);
    if (f === undefined) byName.set(name, (f = { name, help: "", type: "UNTYPED", metrics: [] }));
    return f;
  };
  let lineNo = 0;
  const lines = text.split("\n");
  try {
    for (const line of lines) {
      lineNo++;
      const e = parser.line(line, 0, line.length);
      if (e === undefined) continue;
      if (e.kind === "help") {
        family(e.name).help = e.help;
        continue;
      }
      if (e.kind === "type") {
        const t = TYPE_NAMES[e.type];
        if (t === undefined) throw new FamilyParseError(`text format parsing error in line ${lineNo}: unknown metric type "${e.type}"`);
        family(e.name).type = t;
        continue;
      }
      if (e.kind !== "sample") continue;
      const { f, suffix } = resolveFamily(byName, e.name);
      const fam = f ?? family(e.name);
      const labels: DtoLabel[] = [];
      let quantile: string | undefined;
      let le: string | undefined;
      for (const l of e.labels) {
        if (l.name === METRIC_NAME) continue;
        if (fam.type === "SUMMARY" && l.name === "quantile") quantile = l.value;
        else if (fam.type === "HISTOGRAM" && l.name === "le") le = l.value;
        else labels.push({ name: l.name, value: l.value });
      }
      let metric: DtoMetric;
      if (fam.type === "SUMMARY" || fam.type === "HISTOGRAM") {
        let bySig = grouped.get(fam);
        if (bySig === undefined) grouped.set(fam, (bySig = new Map()));
        const sig = labels.map((l) => l.name + "\xff" + l.value).join("\xff");
        let m = bySig.get(sig);
        if (m === undefined) {
          m = newDtoMetric(labels, fam.type === "SUMMARY" ? "summary" : "histogram");
          bySig.set(sig, m);
          fam.metrics.push(m);
        }
        metric = m;
      } else {
        metric = newDtoMetric(labels, fam.type === "COUNTER" ? "counter" : fam.type === "GAUGE" ? "gauge" : "untyped");
        fam.metrics.push(metric);
      }
      if (e.timestamp !== undefined) metric.timestampMs = e.timestamp;
      if (suffix === "_sum") metric.sampleSum = e.value;
      else if (suffix === "_count") metric.sampleCount = toUint64(e.value);
      else if (metric.kind === "summary") {
        if (quantile !== undefined) metric.quantiles.push({ quantile: floatLabel(lineNo, "quantile", quantile), value: e.value });
      } else if (metric.kind === "histogram") {
        if (suffix === "_bucket" && le !== undefined) metric.buckets.push({ upperBound: floatLabel(lineNo, "le", le), cumulativeCount: toUint64(e.value) });
      } else metric.value = e.value;
    }
    parser.end();
  } catch (err) {
    if (err instanceof ParseError) throw new FamilyParseError(`text format parsing error in line ${err.line}: ${err.reason}`);
    throw err;
  }
  return [...byName.values()];
}

/** The family a sample name belongs to: its own, or the summary/histogram it is a
 * `_sum`, `_count` or `_bucket` series of. */
function resolveFamily(byName: Map<string, DtoFamily>, name: string): { f: DtoFamily | undefined; suffix: string } {
  const own = byName.get(name);
  if (own !== undefined) return { f: own, suffix: "" };
  for (const suffix of ["_sum", "_count", "_bucket"]) {
    if (!name.endsWith(suffix)) continue;
    const base = byName.get(name.slice(0, -suffix.length));
    if (base === undefined) continue;
    if (base.type === "HISTOGRAM" || (base.type === "SUMMARY" && suffix !== "_bucket")) return { f: base, suffix };
  }
  return { f: undefined, suffix: "" };
}

function floatLabel(lineNo: number, name: string, value: string): number {
  const v = parseGoFloat(value);
  if (v === undefined) throw new FamilyParseError(`text format parsing error in line ${lineNo}: expected float as value for '${name}' label, got "${value}"`);
  return v;
}

/** Go's uint64(float64) for the counts a text exposition carries as floats. */
function toUint64(v: number): number {
  return Number.isFinite(v) && v > 0 ? Math.trunc(v) : 0;
}
