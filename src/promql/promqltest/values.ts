import { CounterResetHint, FloatHistogram } from "../../model/histogram.js";
import { sortLabels, type Label, type Labels } from "../../model/labels.js";
import { STALE_NAN } from "../../model/sample.js";
import { parseSeriesSelector } from "../parser/selector.js";
import { parseGoNumber } from "./numbers.js";

/** The series description syntax of promqltest (`metric{l="v"} 1 2+3x4 _ stale`), used
 * by `load` blocks and by the expected results of `eval`. */

export class SeriesSyntaxError extends Error {}

/** An expanded value sequence. Values live in a Float64Array because V8 rewrites the
 * payload of a signalling NaN (the stale marker) kept in a plain array. */
export interface SequenceValues {
  /** One entry per position; an omitted position (`_`) holds 0, as in Prometheus. */
  values: Float64Array;
  /** 1 where the position is omitted (`_`). */
  omitted: Uint8Array;
  /** True when the text holds native histogram values (`{{...}}`). */
  histogram: boolean;
  /** Per position, the native histogram there (absent for floats and omitted
   * positions), and whether its literal named a counter_reset_hint (results are
   * compared on the hint only then). */
  histograms?: (FloatHistogram | undefined)[];
  hintSet?: boolean[];
}

export interface SeriesLine {
  labels: Labels;
  seq: SequenceValues;
}

/** Parses `metric{labels} values...`. The metric part is a series selector using only
 * `=` (or `{}` for the empty label set); empty label values mean "label absent". */
export function parseSeriesLine(line: string): SeriesLine {
  const text = line.trim();
  const end = metricEnd(text);
  const metric = text.slice(0, end);
  const rest = text.slice(end);
  if (rest !== "" && !/^\s/.test(rest)) {
    throw new SeriesSyntaxError(`unexpected ${JSON.stringify(rest[0])} after series ${JSON.stringify(metric)}`);
  }
  return { labels: parseMetric(metric), seq: parseSequence(rest) };
}

/** Where the metric part of a series line ends: after the closing brace, or after the
 * bare metric name. Quoted strings inside the braces may hold spaces and braces. */
function metricEnd(s: string): number {
  let i = 0;
  if (/[a-zA-Z_:]/.test(s[0] ?? "")) {
    while (i < s.length && /[a-zA-Z0-9_:]/.test(s[i]!)) i++;
    if (s[i] !== "{") return i;
  } else if (s[0] !== "{") {
    throw new SeriesSyntaxError(`expected a series (metric name or "{"), got ${JSON.stringify(s)}`);
  }
  i++;
  while (i < s.length) {
    const c = s[i]!;
    if (c === "}") return i + 1;
    if (c === '"' || c === "'" || c === "`") {
      i++;
      while (i < s.length && s[i] !== c) i += s[i] === "\\" && c !== "`" ? 2 : 1;
      if (i >= s.length) throw new SeriesSyntaxError(`unterminated string in series ${JSON.stringify(s)}`);
    }
    i++;
  }
  throw new SeriesSyntaxError(`missing "}" in series ${JSON.stringify(s)}`);
}

function parseMetric(text: string): Labels {
  if (/^\{\s*\}$/.test(text)) return [];
  let ms;
  try {
    ms = parseSeriesSelector(text);
  } catch (e) {
    throw new SeriesSyntaxError(`invalid series ${JSON.stringify(text)}: ${(e as Error).message}`);
  }
  const seen = new Set<string>();
  const out: Label[] = [];
  for (const m of ms) {
    if (m.type !== "=") throw new SeriesSyntaxError(`invalid series ${JSON.stringify(text)}: only "=" is allowed in a label set`);
    if (seen.has(m.name)) throw new SeriesSyntaxError(`invalid series ${JSON.stringify(text)}: duplicate label ${JSON.stringify(m.name)}`);
    seen.add(m.name);
    if (m.value !== "") out.push({ name: m.name, value: m.value });
  }
  return sortLabels(out);
}

/** Splits the value part into items at whitespace, keeping `{{ ... }}` together. */
function items(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) break;
    const start = i;
    let depth = 0;
    while (i < text.length) {
      if (text.startsWith("{{", i)) {
        depth++;
        i += 2;
      } else if (depth > 0 && text.startsWith("}}", i)) {
        depth--;
        i += 2;
      } else if (depth === 0 && /\s/.test(text[i]!)) break;
      else i++;
    }
    out.push(text.slice(start, i));
  }
  return out;
}

class SeqBuilder {
  values = new Float64Array(16);
  omitted = new Uint8Array(16);
  histograms: (FloatHistogram | undefined)[] = [];
  hintSet: boolean[] = [];
  n = 0;
  pushHistogram(h: FloatHistogram, hintSet: boolean): void {
    this.histograms[this.n] = h;
    this.hintSet[this.n] = hintSet;
    this.push(0, false);
  }
  push(v: number, omitted: boolean): void {
    if (this.n === this.values.length) {
      const vs = new Float64Array(this.n * 2);
      const om = new Uint8Array(this.n * 2);
      vs.set(this.values);
      om.set(this.omitted);
      this.values = vs;
      this.omitted = om;
    }
    this.values[this.n] = v;
    this.omitted[this.n++] = omitted ? 1 : 0;
  }
}

/** Upper bound on the positions one item may expand to, so a typo like `0x1e9` in a
 * test file cannot exhaust memory. */
const MAX_REPEAT = 10_000_000;

/** Expands a value sequence: `1 2 3`, `1+2x3` (1 3 5 7), `1-1x2` (1 0 -1), `0x3`
 * (0 0 0 0), `_` (omitted), `_x3` (three omitted), `stale`, `Inf`, `-Inf`, `NaN`,
 * `1e3`. As in Prometheus, `a+bxn` yields n+1 values by repeated addition and `_xn`
 * yields n omitted positions. */
export function parseSequence(text: string): SequenceValues {
  const b = new SeqBuilder();
  let histogram = false;
  for (const item of items(text)) {
    if (item.includes("{{")) {
      histogram = true;
      expandHistogramItem(item, b);
      continue;
    }
    expandItem(item, b);
  }
  const out: SequenceValues = { values: b.values.slice(0, b.n), omitted: b.omitted.slice(0, b.n), histogram };
  if (histogram) {
    out.histograms = Array.from({ length: b.n }, (_, i) => b.histograms[i]);
    out.hintSet = Array.from({ length: b.n }, (_, i) => b.hintSet[i] ?? false);
  }
  return out;
}

const HINTS: Record<string, CounterResetHint> = {
  unknown: CounterResetHint.Unknown,
  reset: CounterResetHint.CounterReset,
  not_reset: CounterResetHint.NotCounterReset,
  gauge: CounterResetHint.Gauge,
};

function histNumber(text: string, what: string): number {
  const v = parseGoNumber(text.startsWith("+") ? text.slice(1) : text);
  if (v === null) throw new SeriesSyntaxError(`error parsing ${what} number: ${JSON.stringify(text)}`);
  return v;
}

function histInt(text: string, what: string): number {
  if (!/^[+-]?\d+$/.test(text)) throw new SeriesSyntaxError(`error parsing ${what} number: ${JSON.stringify(text)}`);
  return Number(text);
}

function numberList(text: string, what: string): number[] {
  const m = /^\[\s*(.*?)\s*\]$/.exec(text);
  if (m === null || m[1] === "") throw new SeriesSyntaxError(`error parsing ${what} float array: ${JSON.stringify(text)}`);
  return m[1]!.split(/\s+/).map((x) => histNumber(x, what));
}

/** One `{{key:value ...}}` literal; `hintSet` tells whether it named a hint. */
export function parseHistogramLiteral(text: string): { h: FloatHistogram; hintSet: boolean } {
  const m = /^\{\{(.*)\}\}$/s.exec(text.trim());
  if (m === null) throw new SeriesSyntaxError(`invalid histogram ${JSON.stringify(text)}`);
  const h = new FloatHistogram();
  const seen = new Set<string>();
  let hintSet = false;
  const pos = { buckets: [] as number[], offset: 0, nBuckets: [] as number[], nOffset: 0 };
  const re = /\s*([a-z_]+):(\[[^\]]*\]|[^\s]+)/gy;
  const body = m[1]!.trim();
  let at = 0;
  while (at < body.length) {
    re.lastIndex = at;
    const it = re.exec(body);
    if (it === null) throw new SeriesSyntaxError(`unexpected ${JSON.stringify(body.slice(at))} in histogram description, expected a key such as buckets:[5 10 7]`);
    at = re.lastIndex;
    const [, key, val] = it as unknown as [string, string, string];
    if (seen.has(key)) throw new SeriesSyntaxError(`duplicate key "${key}" in histogram`);
    seen.add(key);
    switch (key) {
      case "schema":
        h.schema = histInt(val, "schema");
        break;
      case "sum":
        h.sum = histNumber(val, "sum");
        break;
      case "count":
        h.count = histNumber(val, "count");
        break;
      case "z_bucket":
        h.zeroCount = histNumber(val, "z_bucket");
        break;
      case "z_bucket_w":
        h.zeroThreshold = histNumber(val, "z_bucket_w");
        break;
      case "custom_values":
        h.customValues = numberList(val, "custom_values");
        break;
      case "buckets":
        pos.buckets = numberList(val, "buckets");
        break;
      case "offset":
        pos.offset = histInt(val, "offset");
        break;
      case "n_buckets":
        pos.nBuckets = numberList(val, "n_buckets");
        break;
      case "n_offset":
        pos.nOffset = histInt(val, "n_offset");
        break;
      case "counter_reset_hint": {
        const hint = HINTS[val];
        if (hint === undefined) throw new SeriesSyntaxError(`error parsing counter_reset_hint: unknown value ${val}`);
        h.counterResetHint = hint;
        hintSet = true;
        break;
      }
      default:
        throw new SeriesSyntaxError(`unknown histogram description key ${JSON.stringify(key)}`);
    }
  }
  h.positiveBuckets = pos.buckets;
  h.positiveSpans = pos.buckets.length > 0 ? [{ offset: pos.offset, length: pos.buckets.length }] : [];
  h.negativeBuckets = pos.nBuckets;
  h.negativeSpans = pos.nBuckets.length > 0 ? [{ offset: pos.nOffset, length: pos.nBuckets.length }] : [];
  return { h, hintSet };
}

/** `{{...}}`, `{{...}}xN`, `{{a}}+{{b}}xN` (a, a+b, a+2b, ...) or `{{a}}-{{b}}xN`. */
function expandHistogramItem(item: string, b: SeqBuilder): void {
  const first = item.indexOf("}}");
  if (!item.startsWith("{{") || first < 0) throw new SeriesSyntaxError(`invalid histogram ${JSON.stringify(item)}`);
  const base = parseHistogramLiteral(item.slice(0, first + 2));
  const rest = item.slice(first + 2);
  if (rest === "") {
    b.pushHistogram(base.h, base.hintSet);
    return;
  }
  let m = /^x(\d+)$/.exec(rest);
  if (m !== null) {
    const n = Number(m[1]);
    if (n > MAX_REPEAT) throw new SeriesSyntaxError(`repetition too large in series values: ${JSON.stringify(item)}`);
    for (let k = 0; k <= n; k++) b.pushHistogram(base.h, base.hintSet);
    return;
  }
  m = /^([+-])(\{\{.*\}\})x(\d+)$/s.exec(rest);
  if (m === null) throw new SeriesSyntaxError(`bad histogram repetition in series values: ${JSON.stringify(item)}`);
  const inc = parseHistogramLiteral(m[2]!);
  const n = Number(m[3]);
  if (n > MAX_REPEAT) throw new SeriesSyntaxError(`repetition too large in series values: ${JSON.stringify(item)}`);
  // As in Prometheus, every value carries the increment's "hint named" flag.
  let cur = base.h;
  b.pushHistogram(cur, inc.hintSet);
  for (let k = 1; k <= n; k++) {
    if (cur.schema > inc.h.schema) throw new SeriesSyntaxError(`error combining histograms: cannot merge from schema ${inc.h.schema} to ${cur.schema}`);
    cur = cur.copy();
    try {
      if (m[1] === "+") cur.add(inc.h);
      else cur.sub(inc.h);
    } catch (e) {
      throw new SeriesSyntaxError(`error combining histograms: ${(e as Error).message}`);
    }
    b.pushHistogram(cur, inc.hintSet);
  }
}

type Tok =
  | { kind: "num"; text: string }
  | { kind: "stale" }
  | { kind: "+" | "-" | "x" | "_" };

const NUMBER_AT = /^(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?/;

/** Tokenizes one item the way Prometheus' lexer does in series descriptions: `x` is
 * the repetition operator, `_` the blank, identifiers are `stale`, `Inf` or `NaN`. */
function tokens(item: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < item.length) {
    const c = item[i]!;
    if (c === "+" || c === "-" || c === "x" || c === "_") {
      out.push({ kind: c });
      i++;
      continue;
    }
    if (/[0-9.]/.test(c)) {
      const m = NUMBER_AT.exec(item.slice(i));
      if (m === null) throw bad(item);
      i += m[0].length;
      const next = item[i];
      if (next !== undefined && next !== "x" && /[a-zA-Z0-9_]/.test(next)) throw bad(item);
      out.push({ kind: "num", text: m[0] });
      continue;
    }
    if (/[a-zA-Z]/.test(c)) {
      const m = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(item.slice(i))!;
      i += m[0].length;
      const w = m[0].toLowerCase();
      if (w === "inf" || w === "nan") out.push({ kind: "num", text: m[0] });
      else if (m[0] === "stale") out.push({ kind: "stale" });
      else throw new SeriesSyntaxError(`unexpected ${JSON.stringify(m[0])} in series values, expected number or "stale"`);
      continue;
    }
    throw new SeriesSyntaxError(`unexpected character in series values: ${JSON.stringify(c)}`);
  }
  return out;
}

function bad(item: string): SeriesSyntaxError {
  return new SeriesSyntaxError(`bad number or repetition in series values: ${JSON.stringify(item)}`);
}

function num(t: Tok | undefined, item: string): number {
  if (t?.kind !== "num") throw bad(item);
  const v = parseGoNumber(t.text);
  if (v === null) throw new SeriesSyntaxError(`error parsing number: ${JSON.stringify(t.text)}`);
  return v;
}

function repeat(t: Tok | undefined, item: string): number {
  if (t?.kind !== "num" || !/^\d+$/.test(t.text)) {
    throw new SeriesSyntaxError(`invalid repetition in series values: ${JSON.stringify(item)}`);
  }
  const n = Number(t.text);
  if (n > MAX_REPEAT) throw new SeriesSyntaxError(`repetition too large in series values: ${JSON.stringify(item)}`);
  return n;
}

function expandItem(item: string, b: SeqBuilder): void {
  const ts = tokens(item);
  let i = 0;
  if (ts[0]?.kind === "_") {
    if (ts.length === 1) {
      b.push(0, true);
      return;
    }
    if (ts.length === 3 && ts[1]!.kind === "x") {
      const n = repeat(ts[2], item);
      for (let k = 0; k < n; k++) b.push(0, true);
      return;
    }
    throw bad(item);
  }
  // series_value: stale | number | signed number
  let v: number;
  const first = ts[i++];
  if (first?.kind === "stale") v = STALE_NAN;
  else if (first?.kind === "+" || first?.kind === "-") {
    const n = num(ts[i++], item);
    v = first.kind === "-" ? -n : n;
  } else v = num(first, item);
  if (i === ts.length) {
    b.push(v, false);
    return;
  }
  const op = ts[i++]!;
  if (op.kind === "x") {
    const n = repeat(ts[i++], item);
    if (i !== ts.length) throw bad(item);
    for (let k = 0; k <= n; k++) b.push(v, false);
    return;
  }
  if (op.kind === "+" || op.kind === "-") {
    const d = num(ts[i++], item);
    const delta = op.kind === "-" ? -d : d;
    if (ts[i++]?.kind !== "x") throw bad(item);
    const n = repeat(ts[i++], item);
    if (i !== ts.length) throw bad(item);
    // Repeated addition, not v + k*delta: Prometheus accumulates, and float rounding
    // of the expected values must match.
    for (let k = 0; k <= n; k++) {
      b.push(v, false);
      v += delta;
    }
    return;
  }
  throw bad(item);
}
