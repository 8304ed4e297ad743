import type { FloatHistogram, Span } from "../../model/histogram.js";
import { compareLabels, formatSeries, labelsKey } from "../../model/labels.js";
import { formatFloat, isStaleNaN } from "../../model/sample.js";
import type { Matrix, Scalar, Value, Vector } from "../engine/value.js";
import { isFail, isOrdered, type EvalCommand, type ExpectLine } from "./script.js";

/** The checks promqltest applies to one query result. Each returns null when the
 * result is as expected, else a message saying what was expected and what came. */

/** Relative error allowed between an expected and an actual float (Prometheus'
 * promqltest `defaultEpsilon`). */
export const DEFAULT_EPSILON = 0.000001;

const MIN_NORMAL = 2.2250738585072014e-308;

/** Prometheus' util/almost.Equal: a stale marker equals only a stale marker, NaN
 * equals NaN, otherwise the difference relative to the sum of magnitudes must be below
 * epsilon (near zero: below epsilon times the smallest normal float). */
export function almostEqual(a: number, b: number, epsilon = DEFAULT_EPSILON): boolean {
  const sa = isStaleNaN(a);
  const sb = isStaleNaN(b);
  if (sa || sb) return sa && sb;
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  if (a === b) return true;
  const absSum = Math.abs(a) + Math.abs(b);
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || absSum < MIN_NORMAL) return diff < epsilon * MIN_NORMAL;
  return diff / Math.min(absSum, Number.MAX_VALUE) < epsilon;
}

export function fmtValue(v: number, h?: FloatHistogram): string {
  if (h !== undefined) return h.testExpression();
  return isStaleNaN(v) ? "stale" : formatFloat(v);
}

/** promqltest's compareNativeHistogram, on compacted copies: schema, counts and sum
 * almost equal, same custom bounds and zero threshold, same buckets; the counter
 * reset hint only when the expected literal named one. */
export function histogramsMatch(expected: FloatHistogram, actual: FloatHistogram, hintSet: boolean): boolean {
  const e = expected.copy().compact();
  const a = actual.copy().compact();
  if (e.schema !== a.schema || !almostEqual(e.count, a.count) || !almostEqual(e.sum, a.sum)) return false;
  if (e.usesCustomBuckets()) {
    const x = e.customValues ?? [];
    const y = a.customValues ?? [];
    if (x.length !== y.length || x.some((v, i) => v !== y[i])) return false;
  }
  if (e.zeroThreshold !== a.zeroThreshold || !almostEqual(e.zeroCount, a.zeroCount)) return false;
  const spans = (x: Span[], y: Span[]) => x.length === y.length && x.every((s, i) => s.offset === y[i]!.offset && s.length === y[i]!.length);
  const buckets = (x: number[], y: number[]) => x.length === y.length && x.every((v, i) => almostEqual(v, y[i]!));
  if (!spans(e.negativeSpans, a.negativeSpans) || !buckets(e.negativeBuckets, a.negativeBuckets)) return false;
  if (!spans(e.positiveSpans, a.positiveSpans) || !buckets(e.positiveBuckets, a.positiveBuckets)) return false;
  return !hintSet || e.counterResetHint === a.counterResetHint;
}

function fmtPoints(ts: Float64Array, vs: Float64Array, limit = 12, hs?: (FloatHistogram | undefined)[]): string {
  const parts: string[] = [];
  for (let i = 0; i < ts.length && i < limit; i++) parts.push(`${fmtValue(vs[i]!, hs?.[i])}@${ts[i]}`);
  if (ts.length > limit) parts.push(`... (${ts.length} points)`);
  return "[" + parts.join(" ") + "]";
}

function fmtVector(v: Vector, limit = 10): string {
  const parts = v.samples.slice(0, limit).map((s) => `${formatSeries(s.labels)} ${fmtValue(s.v, s.h)}`);
  if (v.samples.length > limit) parts.push(`... (${v.samples.length} samples)`);
  return "[" + parts.join(", ") + "]";
}

/** A one-line rendering of a query result, for failure messages. */
export function describeValue(v: Value): string {
  switch (v.type) {
    case "scalar":
      return `scalar ${fmtValue(v.v)}`;
    case "string":
      return `string ${JSON.stringify(v.v)}`;
    case "vector":
      return `vector ${fmtVector(v)}`;
    case "matrix": {
      const parts = v.series.slice(0, 10).map((s) => `${formatSeries(s.labels)} ${fmtPoints(s.ts, s.vs, 12, s.hs)}`);
      if (v.series.length > 10) parts.push(`... (${v.series.length} series)`);
      return `matrix [${parts.join(", ")}]`;
    }
  }
}

function expectedValues(ev: EvalCommand, key: string): string {
  const e = ev.expected.get(key)!;
  const out: string[] = [];
  for (let i = 0; i < e.seq.values.length; i++) out.push(e.seq.omitted[i] ? "_" : fmtValue(e.seq.values[i]!, e.seq.histograms?.[i]));
  return out.join(" ");
}

function expectedSummary(ev: EvalCommand): string {
  if (ev.expected.size === 0) return "no series";
  return [...ev.expected.keys()].map((k) => `${formatSeries(ev.expected.get(k)!.labels)} ${expectedValues(ev, k)}`).join(", ");
}

/** Matrix results must come sorted by labels. */
export function checkMatrixSorted(m: Matrix): string | null {
  for (let i = 0; i + 1 < m.series.length; i++) {
    const a = m.series[i]!.labels;
    const b = m.series[i + 1]!.labels;
    if (compareLabels(a, b) > 0) {
      return `matrix results should always be sorted by labels, but series ${i + 1} ${formatSeries(b)} sorts before series ${i} ${formatSeries(a)}`;
    }
  }
  return null;
}

/** promqltest's compareResult: series by exact label set, unordered unless `expect
 * ordered`, same number of series and points, floats compared with almostEqual. */
export function compareResult(ev: EvalCommand, value: Value): string | null {
  switch (value.type) {
    case "matrix":
      return compareMatrix(ev, value);
    case "vector":
      return compareVector(ev, value);
    case "scalar":
      return compareScalar(ev, value);
    case "string":
      if (ev.expectedString !== value.v) return `expected string ${JSON.stringify(ev.expectedString)} but got ${JSON.stringify(value.v)}`;
      return null;
  }
}

function compareMatrix(ev: EvalCommand, m: Matrix): string | null {
  if (isOrdered(ev)) return "expected ordered result, but query returned a matrix";
  if (ev.expectScalar) return `expected scalar result, but got ${describeValue(m)}`;
  const unsorted = checkMatrixSorted(m);
  if (unsorted !== null) return unsorted;
  const seen = new Set<string>();
  for (const s of m.series) {
    const key = labelsKey(s.labels);
    const exp = ev.expected.get(key);
    if (exp === undefined) return `unexpected series ${formatSeries(s.labels)} in result, has ${fmtPoints(s.ts, s.vs, 12, s.hs)}; expected ${expectedSummary(ev)}`;
    seen.add(key);
    const ets: number[] = [];
    const evs = new Float64Array(exp.seq.values.length);
    const ehs: (FloatHistogram | undefined)[] = [];
    const ehint: boolean[] = [];
    for (let i = 0; i < exp.seq.values.length; i++) {
      const t = ev.start + i * ev.step;
      if (t > ev.end) {
        return `expected ${exp.seq.values.length} points for ${formatSeries(s.labels)}, but the query time range cannot return this many points`;
      }
      if (exp.seq.omitted[i]) continue;
      evs[ets.length] = exp.seq.values[i]!;
      ehs[ets.length] = exp.seq.histograms?.[i];
      ehint[ets.length] = exp.seq.hintSet?.[i] ?? false;
      ets.push(t);
    }
    const want = `${formatSeries(s.labels)} ${expectedValues(ev, key)}`;
    if (ets.length !== s.ts.length) {
      return `expected ${ets.length} points for ${formatSeries(s.labels)}, got ${s.ts.length}: expected ${want}, got ${fmtPoints(s.ts, s.vs, 12, s.hs)}`;
    }
    for (let i = 0; i < ets.length; i++) {
      if (ets[i] !== s.ts[i]) {
        return `expected point ${i} of ${formatSeries(s.labels)} at t=${ets[i]}, got t=${s.ts[i]}: expected ${want}, got ${fmtPoints(s.ts, s.vs, 12, s.hs)}`;
      }
      const eh = ehs[i];
      const ah = s.hs?.[i];
      const ok = eh !== undefined || ah !== undefined ? eh !== undefined && ah !== undefined && histogramsMatch(eh, ah, ehint[i]!) : almostEqual(evs[i]!, s.vs[i]!);
      if (!ok) {
        return `expected ${fmtValue(evs[i]!, eh)} at t=${ets[i]} for ${formatSeries(s.labels)}, got ${fmtValue(s.vs[i]!, ah)}: expected ${want}, got ${fmtPoints(s.ts, s.vs, 12, s.hs)}`;
      }
    }
  }
  for (const [key, e] of ev.expected) {
    if (!seen.has(key)) return `expected series ${formatSeries(e.labels)} ${expectedValues(ev, key)} not found; got ${describeValue(m)}`;
  }
  return null;
}

function compareVector(ev: EvalCommand, v: Vector): string | null {
  if (ev.expectScalar) return `expected scalar result, but got ${describeValue(v)}`;
  const seen = new Set<string>();
  const ordered = isOrdered(ev);
  for (let pos = 0; pos < v.samples.length; pos++) {
    const s = v.samples[pos]!;
    const key = labelsKey(s.labels);
    const exp = ev.expected.get(key);
    if (exp === undefined) {
      return `unexpected series ${formatSeries(s.labels)} ${fmtValue(s.v, s.h)} in result; expected ${expectedSummary(ev)}; got ${describeValue(v)}`;
    }
    if (ordered && exp.pos !== pos + 1) {
      return `expected ${formatSeries(s.labels)} at position ${exp.pos} but it was at ${pos + 1}; got ${describeValue(v)}`;
    }
    if (exp.seq.values.length === 0) return `no expected value given for ${formatSeries(s.labels)}`;
    // Like Prometheus, an omitted expected value (`_`) reads as 0 here.
    const want = exp.seq.values[0]!;
    const wh = exp.seq.histograms?.[0];
    if (wh !== undefined || s.h !== undefined) {
      if (wh === undefined) return `expected float value ${fmtValue(want)} for ${formatSeries(s.labels)} but got histogram ${fmtValue(0, s.h)}`;
      if (s.h === undefined) return `expected histogram ${fmtValue(0, wh)} for ${formatSeries(s.labels)} but got float value ${fmtValue(s.v)}`;
      if (!histogramsMatch(wh, s.h, exp.seq.hintSet?.[0] ?? false)) return `expected ${fmtValue(0, wh)} for ${formatSeries(s.labels)} but got ${fmtValue(0, s.h)}`;
      seen.add(key);
      continue;
    }
    if (!almostEqual(want, s.v)) return `expected ${fmtValue(want)} for ${formatSeries(s.labels)} but got ${fmtValue(s.v)}`;
    seen.add(key);
  }
  for (const [key, e] of ev.expected) {
    if (!seen.has(key)) return `expected series ${formatSeries(e.labels)} ${expectedValues(ev, key)} not found; got ${describeValue(v)}`;
  }
  return null;
}

function compareScalar(ev: EvalCommand, s: Scalar): string | null {
  if (!ev.expectScalar || ev.scalar === null) return `expected ${ev.expected.size > 0 ? expectedSummary(ev) : "vector or matrix result"}, but got ${describeValue(s)}`;
  const want = ev.scalar.values[0]!;
  if (!almostEqual(want, s.v)) return `expected scalar ${fmtValue(want)} but got ${fmtValue(s.v)}`;
  return null;
}

function matches(e: ExpectLine, s: string): boolean {
  return e.regex === null ? e.message === s : e.regex.test(s);
}

function describeExpect(e: ExpectLine): string {
  return e.regex === null ? `message ${JSON.stringify(e.message)}` : `pattern ${JSON.stringify(e.regex.source)}`;
}

function checkAnnotationsOfType(kind: "warn" | "info", expected: ExpectLine[], actual: string[], all: string[]): string | null {
  if (expected.length === 0) return null;
  if (actual.length === 0) return `expected ${kind} annotations but none were found`;
  for (const e of expected) {
    if (!actual.some((a) => matches(e, a))) {
      return `expected ${kind} annotation matching ${describeExpect(e)} but none matched; got ${JSON.stringify(all)}`;
    }
  }
  for (const a of actual) {
    if (!expected.some((e) => matches(e, a))) return `unexpected ${kind} annotation ${JSON.stringify(a)}`;
  }
  return null;
}

/** promqltest's checkAnnotations: `eval_warn`/`eval_info` need at least one; each
 * `expect warn|info` line must match an annotation and, once such lines exist, every
 * annotation of that kind must match one of them; `no_warn`/`no_info` forbid them.
 * Without expectations annotations are not checked. */
export function checkAnnotations(ev: EvalCommand, warnings: string[], infos: string[]): string | null {
  if (ev.legacy.warn && warnings.length === 0) return "expected warnings but got none";
  if (ev.legacy.info && infos.length === 0) return "expected info annotations but got none";
  const all = [...warnings, ...infos];
  return (
    checkAnnotationsOfType("warn", ev.expects.warn, warnings, all) ??
    checkAnnotationsOfType("info", ev.expects.info, infos, all) ??
    (ev.expects.no_warn.length > 0 && warnings.length > 0 ? `unexpected warning annotations: ${JSON.stringify(warnings)}` : null) ??
    (ev.expects.no_info.length > 0 && infos.length > 0 ? `unexpected info annotations: ${JSON.stringify(infos)}` : null)
  );
}

/** promqltest's checkExpectedFailure, for a query that failed with `message`. */
export function checkExpectedFailure(ev: EvalCommand, message: string): string | null {
  if (!isFail(ev)) return `unexpected error: ${message}`;
  if (ev.expectedFailMessage !== null && ev.expectedFailMessage !== "" && ev.expectedFailMessage !== message) {
    return `expected error ${JSON.stringify(ev.expectedFailMessage)}, but got: ${message}`;
  }
  if (ev.expectedFailRegexp !== null && !ev.expectedFailRegexp.test(message)) {
    return `expected error matching ${JSON.stringify(ev.expectedFailRegexp.source)}, but got: ${message}`;
  }
  const f = ev.expects.fail[0];
  if (f !== undefined && !matches(f, message)) return `expected error matching ${describeExpect(f)}, but got: ${message}`;
  return null;
}
