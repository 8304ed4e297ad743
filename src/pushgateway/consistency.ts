import type { DtoFamily, DtoMetric, DtoType } from "../textparse/dto.js";
import { kindForType } from "../textparse/dto.js";
import { formatExpositionFloat } from "../textparse/float.js";
import { isValidMetricName } from "../model/labels.js";
import { quote as goQuote } from "../model/quote.js";

/**
 * The consistency rules client_golang's Gatherers apply when the real gateway test-
 * gathers every group together with a push (metric value field versus family type,
 * label names, one series per name and label set, summary/histogram suffix clashes),
 * with their messages. The real gateway re-gathers everything on each push; this
 * keeps an index of what is stored so a push costs only its own size.
 */

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Label names starting with this are Prometheus' own; client_golang refuses them. */
const RESERVED_PREFIX = "__";

interface NameEntry {
  /** How many stored families of this name have each type. */
  types: Map<DtoType, number>;
  /** How many stored metrics have each label signature. */
  sigs: Map<string, number>;
}

export class ConsistencyIndex {
  private readonly names = new Map<string, NameEntry>();

  constructor(private readonly own: ReadonlyMap<string, { type: DtoType; help: string }>) {}

  add(f: DtoFamily, delta: 1 | -1 = 1): void {
    let e = this.names.get(f.name);
    if (e === undefined) this.names.set(f.name, (e = { types: new Map(), sigs: new Map() }));
    bump(e.types, f.type, delta);
    for (const m of f.metrics) bump(e.sigs, signature(m), delta);
    if (e.types.size === 0) this.names.delete(f.name);
  }

  remove(f: DtoFamily): void {
    this.add(f, -1);
  }

  /**
   * Errors `incoming` would cause once stored in a group, where `replaced` holds that
   * group's families this write removes or overwrites (they no longer count).
   */
  check(incoming: readonly DtoFamily[], replaced: ReadonlyMap<string, DtoFamily>): string[] {
    const errs: string[] = [];
    const typeOf = (name: string): DtoType | undefined => {
      const pushed = incoming.find((f) => f.name === name);
      if (pushed !== undefined) return pushed.type;
      const own = this.own.get(name);
      if (own !== undefined) return own.type;
      return this.storedType(name, replaced.get(name));
    };
    for (const f of incoming) {
      // client_golang leaves names to the collectors that make them; pushed names come
      // from anyone, and one the text format cannot carry would break every scrape
      // (a family without metrics is never exposed).
      if (f.metrics.length > 0 && !isValidMetricName(f.name)) {
        errs.push(`${goQuote(f.name)} is not a valid metric name`);
        continue;
      }
      const own = this.own.get(f.name);
      if (own !== undefined && own.type !== f.type) {
        errs.push(`gathered metric family ${f.name} has type ${f.type} but should have ${own.type}`);
        continue;
      }
      const suffix = suffixClash(f, typeOf);
      if (suffix !== undefined) {
        errs.push(suffix);
        continue;
      }
      const e = this.names.get(f.name);
      const old = replaced.get(f.name);
      const familyType = this.storedType(f.name, old) ?? f.type;
      const oldSigs = new Set(old?.metrics.map(signature));
      const seen = new Set<string>();
      for (const m of f.metrics) {
        const err = metricError(f.name, familyType, m);
        if (err !== undefined) {
          errs.push(err);
          continue;
        }
        const sig = signature(m);
        const stored = (e?.sigs.get(sig) ?? 0) - (oldSigs.has(sig) ? 1 : 0);
        if (stored > 0 || seen.has(sig)) {
          errs.push(`collected metric ${goQuote(f.name)} { ${protoText(m)}} was collected before with the same name and label values`);
          continue;
        }
        seen.add(sig);
      }
    }
    return errs;
  }

  /** The type of the stored families called `name`, not counting `except`. */
  private storedType(name: string, except: DtoFamily | undefined): DtoType | undefined {
    const e = this.names.get(name);
    if (e === undefined) return undefined;
    for (const [t, n] of e.types) if (n - (except?.type === t ? 1 : 0) > 0) return t;
    return undefined;
  }
}

/** client_golang's MultiError text for more than one error. */
export function joinErrors(errs: readonly string[]): string {
  if (errs.length === 1) return errs[0]!;
  return `${errs.length} error(s) occurred:` + errs.map((e) => "\n* " + e).join("");
}

function metricError(name: string, type: DtoType, m: DtoMetric): string | undefined {
  const want = kindForType(type);
  if (want !== undefined && m.kind !== want) return `collected metric ${goQuote(name)} { ${protoText(m)}} is not a ${type}`;
  let prev = "";
  for (const l of sortedLabels(m)) {
    if (l.name === prev) return `collected metric ${goQuote(name)} { ${protoText(m)}} has two or more labels with the same name: ${l.name}`;
    if (!LABEL_NAME.test(l.name) || l.name.startsWith(RESERVED_PREFIX)) return `collected metric ${goQuote(name)} { ${protoText(m)}} has a label with an invalid name: ${l.name}`;
    if (m.kind === "summary" && l.name === "quantile") return `collected metric ${goQuote(name)} { ${protoText(m)}} must not have an explicit "quantile" label`;
    // client_golang has no such rule for histograms, so the real gateway exposes two
    // "le" labels on every bucket, which no scraper accepts; refused like "quantile".
    if (m.kind === "histogram" && l.name === "le") return `collected metric ${goQuote(name)} { ${protoText(m)}} must not have an explicit "le" label`;
    prev = l.name;
  }
  return undefined;
}

function suffixClash(f: DtoFamily, typeOf: (name: string) => DtoType | undefined): string | undefined {
  const n = f.name;
  for (const suffix of ["_count", "_sum", "_bucket"]) {
    if (!n.endsWith(suffix)) continue;
    const base = n.slice(0, -suffix.length);
    const t = typeOf(base);
    if (t === "SUMMARY" && suffix !== "_bucket") return `collected metric named ${goQuote(n)} collides with previously collected summary named ${goQuote(base)}`;
    if (t === "HISTOGRAM") return `collected metric named ${goQuote(n)} collides with previously collected histogram named ${goQuote(base)}`;
  }
  if (f.type === "SUMMARY" || f.type === "HISTOGRAM") {
    for (const s of ["_count", "_sum"]) {
      if (typeOf(n + s) !== undefined) return `collected histogram or summary named ${goQuote(n)} collides with previously collected metric named ${goQuote(n + s)}`;
    }
  }
  if (f.type === "HISTOGRAM" && typeOf(n + "_bucket") !== undefined) {
    return `collected histogram named ${goQuote(n)} collides with previously collected metric named ${goQuote(n + "_bucket")}`;
  }
  return undefined;
}

/** The identity of a series within its family: label names and values, sorted. */
export function signature(m: DtoMetric): string {
  return sortedLabels(m)
    .map((l) => l.name + "\xff" + l.value)
    .join("\xff");
}

function sortedLabels(m: DtoMetric): DtoMetric["labels"] {
  const ls = m.labels;
  for (let i = 1; i < ls.length; i++) if (ls[i - 1]!.name > ls[i]!.name) return [...ls].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return ls;
}

/** A Metric in the compact protobuf text form Go prints inside these messages. */
export function protoText(m: DtoMetric): string {
  let s = "";
  for (const l of m.labels) s += `label:<name:${goQuote(l.name)} value:${goQuote(l.value)} > `;
  switch (m.kind) {
    case "gauge":
    case "counter":
    case "untyped":
      s += `${m.kind}:<value:${protoFloat(m.value)} > `;
      break;
    case "summary":
      s += `summary:<sample_count:${m.sampleCount} sample_sum:${protoFloat(m.sampleSum)} `;
      for (const q of m.quantiles) s += `quantile:<quantile:${protoFloat(q.quantile)} value:${protoFloat(q.value)} > `;
      s += "> ";
      break;
    case "histogram":
      s += `histogram:<sample_count:${m.sampleCount} sample_sum:${protoFloat(m.sampleSum)} `;
      for (const b of m.buckets) s += `bucket:<cumulative_count:${b.cumulativeCount} upper_bound:${protoFloat(b.upperBound)} > `;
      s += "> ";
      break;
    case "none":
      break;
  }
  if (m.timestampMs !== undefined) s += `timestamp_ms:${m.timestampMs} `;
  return s;
}

function protoFloat(v: number): string {
  if (Number.isNaN(v)) return "nan";
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  return formatExpositionFloat(v);
}

function bump<K>(m: Map<K, number>, k: K, delta: number): void {
  const n = (m.get(k) ?? 0) + delta;
  if (n > 0) m.set(k, n);
  else m.delete(k);
}
