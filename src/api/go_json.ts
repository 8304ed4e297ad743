import type { FloatHistogram } from "../model/histogram.js";
/** JSON as Prometheus' API writes it (jsoniter configured like encoding/json), so
 * clients that compare response text, not just parsed values, see the same bytes:
 * floats use Go's exponent form below 1e-6 and from 1e21 on (`4.61e-07`, `1e+21`,
 * where JavaScript writes `4.61e-7`), `<`, `>` and `&` are escaped in strings, and
 * timestamps keep three fraction digits (`1700000000.500`). */

/** Text already in JSON form, spliced into the output as it is. */
export class RawJson {
  constructor(readonly json: string) {}
}

/** A JSON number the way Go's jsoniter WriteFloat64 prints it. */
export function goJsonNumber(v: number): string {
  // Between Go's exponent bounds both languages write the same plain digits.
  const abs = v < 0 ? -v : v;
  if (abs >= 1e-6 && abs < 1e21) return String(v);
  if (!Number.isFinite(v)) return "null";
  if (Object.is(v, -0)) return "-0";
  return goExponent(String(v));
}

/** A sample value: Prometheus' marshalFloat, the float in quotes with NaN and the
 * infinities spelled out as Go's strconv does. */
export function goSampleValue(v: number): string {
  const abs = v < 0 ? -v : v;
  if (abs >= 1e-6 && abs < 1e21) return '"' + v + '"';
  if (v !== v) return '"NaN"';
  if (v === Infinity) return '"+Inf"';
  if (v === -Infinity) return '"-Inf"';
  return `"${goJsonNumber(v)}"`;
}

/** goSampleValue's text for each of vs, without the quotes. The values are printed in
 * one call of the runtime's JSON writer, which writes a double's digits as String does
 * but without making a string of each first (about half the time for a range query's
 * values); values outside Go's plain bounds get goSampleValue's own text. */
export function goSampleTexts(vs: Float64Array): string[] {
  if (vs.length === 0) return [];
  const texts = JSON.stringify(Array.from(vs)).slice(1, -1).split(",");
  for (let i = 0; i < vs.length; i++) {
    const v = vs[i]!;
    const abs = v < 0 ? -v : v;
    if (!(abs >= 1e-6 && abs < 1e21)) texts[i] = goSampleValue(v).slice(1, -1);
  }
  return texts;
}

/** A native histogram as Prometheus' API writes it: count and sum, then every
 * populated bucket from the lowest up as [boundary rule, lower, upper, count], the
 * rule being 0 for (a,b], 1 for [a,b), 2 for (a,b) and 3 for [a,b]; no "buckets" key
 * when none is populated. */
export function goHistogram(h: FloatHistogram): string {
  const buckets: string[] = [];
  for (const b of h.allBuckets()) {
    if (b.count === 0) continue;
    const rule = b.lowerInclusive ? (b.upperInclusive ? 3 : 1) : b.upperInclusive ? 0 : 2;
    buckets.push(`[${rule},${goSampleValue(b.lower)},${goSampleValue(b.upper)},${goSampleValue(b.count)}]`);
  }
  const tail = buckets.length > 0 ? `,"buckets":[${buckets.join(",")}]` : "";
  return `{"count":${goSampleValue(h.count)},"sum":${goSampleValue(h.sum)}${tail}}`;
}

/** A millisecond timestamp as seconds: Prometheus' jsonutil.MarshalTimestamp (whole
 * seconds, then exactly three fraction digits when the fraction is not zero). */
export function goTimestamp(ms: number): string {
  // Whole seconds, the usual step grid: the same digits without the arithmetic.
  if (ms % 1000 === 0) return String(ms / 1000);
  const neg = ms < 0;
  const abs = Math.abs(ms);
  const sec = Math.floor(abs / 1000);
  const frac = abs - sec * 1000;
  const head = (neg ? "-" : "") + String(sec);
  return frac === 0 ? head : `${head}.${String(frac).padStart(3, "0")}`;
}

/** A millisecond timestamp as Go's JSON writes float64(t)/1000: Prometheus' Scalar,
 * String and per-step statistics marshal their times so, without goTimestamp's fixed
 * three fraction digits (1.62, not 1.620). */
export function goSeconds(ms: number): string {
  return goJsonNumber(ms / 1000);
}

/** goTimestamp for answers that repeat the same timestamps at the same positions (the
 * steps of a range query's series, the one time of an instant vector): the text of
 * each position is kept and written again while its timestamp stays the same, with
 * the JSON around it (`before`, `after`) when given. */
export class TimestampMemo {
  private readonly ts: number[] = [];
  private readonly text: string[] = [];

  constructor(
    private readonly before = "",
    private readonly after = "",
  ) {}

  at(i: number, ms: number): string {
    if (this.ts[i] === ms) return this.text[i]!;
    const s = this.before + goTimestamp(ms) + this.after;
    this.ts[i] = ms;
    this.text[i] = s;
    return s;
  }
}

/** JavaScript's shortest round-trip digits switch to an exponent at the same bounds as
 * Go's ('e' below 1e-6 and from 1e21), but Go writes at least two exponent digits. */
function goExponent(s: string): string {
  const e = s.indexOf("e");
  if (e < 0) return s;
  const sign = s[e + 1]!;
  const digits = s.slice(e + 2);
  return digits.length >= 2 ? s : `${s.slice(0, e + 1)}${sign}0${digits}`;
}

const ESCAPES: Record<string, string> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

/** A JSON string with encoding/json's HTML-safe escaping. */
export function goJsonString(s: string): string {
  // Printable ASCII with nothing to escape (label names and most values) is quoted as
  // it is, without JSON.stringify's copy and the escape search.
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c || c === 0x3c || c === 0x3e || c === 0x26) return escapedString(s);
  }
  return '"' + s + '"';
}

function escapedString(s: string): string {
  const j = JSON.stringify(s);
  return /[<>&\u2028\u2029]/.test(j) ? j.replace(/[<>&\u2028\u2029]/g, (c) => ESCAPES[c]!) : j;
}

/** Serializes a JSON-shaped value (objects, arrays, strings, numbers, booleans, null,
 * RawJson) with Go's number and string forms. Undefined object fields are left out as
 * JSON.stringify leaves them out. */
export function goJson(v: unknown): string {
  if (v instanceof RawJson) return v.json;
  const out: string[] = [];
  write(v, out);
  return out.join("");
}

function write(v: unknown, out: string[]): void {
  if (v === null || v === undefined) {
    out.push("null");
    return;
  }
  switch (typeof v) {
    case "string":
      out.push(goJsonString(v));
      return;
    case "number":
      out.push(goJsonNumber(v));
      return;
    case "boolean":
      out.push(v ? "true" : "false");
      return;
    case "bigint":
      out.push(v.toString());
      return;
    case "object":
      break;
    default:
      out.push("null");
      return;
  }
  if (v instanceof RawJson) {
    out.push(v.json);
    return;
  }
  if (Array.isArray(v)) {
    out.push("[");
    for (let i = 0; i < v.length; i++) {
      if (i > 0) out.push(",");
      const x = v[i];
      write(x === undefined || typeof x === "function" ? null : x, out);
    }
    out.push("]");
    return;
  }
  const withToJson = v as { toJSON?: () => unknown };
  if (typeof withToJson.toJSON === "function") {
    write(withToJson.toJSON(), out);
    return;
  }
  out.push("{");
  let first = true;
  for (const [k, x] of Object.entries(v)) {
    if (x === undefined || typeof x === "function") continue;
    if (!first) out.push(",");
    first = false;
    out.push(goJsonString(k), ":");
    write(x, out);
  }
  out.push("}");
}
