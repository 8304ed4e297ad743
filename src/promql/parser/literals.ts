import { underscoreOK } from "../../model/strconv.js";
import { formatDuration } from "../../model/time.js";
import { goQuote } from "./quote.js";

/** Number and duration literals: how PromQL reads them (Go's strconv rules, Prometheus'
 * duration syntax) and how Prometheus prints them back. */

export class LiteralError extends Error {}

function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}


const INT64_MAX = (1n << 63n) - 1n;
const HEX_DIGITS = /^[0-9a-fA-F]+$/;
const OCT_DIGITS = /^[0-7]+$/;
const BIN_DIGITS = /^[01]+$/;
const DEC_DIGITS = /^[0-9]+$/;
const DEC_FLOAT = /^(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

/** strconv.ParseInt(s, 0, 64), or null where it fails. */
function parseIntBase0(s: string): bigint | null {
  if (s.indexOf("_") >= 0) {
    if (!underscoreOK(s)) return null;
    s = s.replaceAll("_", "");
  }
  let n: bigint;
  const p = s.length >= 2 && s[0] === "0" ? s[1]!.toLowerCase() : "";
  if (p === "x") {
    if (!HEX_DIGITS.test(s.slice(2))) return null;
    n = BigInt(`0x${s.slice(2)}`);
  } else if (p === "o") {
    if (!OCT_DIGITS.test(s.slice(2))) return null;
    n = BigInt(`0o${s.slice(2)}`);
  } else if (p === "b") {
    if (!BIN_DIGITS.test(s.slice(2))) return null;
    n = BigInt(`0b${s.slice(2)}`);
  } else if (s.length >= 2 && s[0] === "0") {
    if (!OCT_DIGITS.test(s.slice(1))) return null;
    n = BigInt(`0o${s.slice(1)}`);
  } else {
    if (!DEC_DIGITS.test(s)) return null;
    n = BigInt(s);
  }
  return n > INT64_MAX ? null : n;
}

function floatSyntaxError(s: string): LiteralError {
  return new LiteralError(`strconv.ParseFloat: parsing ${goQuote(s)}: invalid syntax`);
}

/** strconv.ParseFloat(s, 64) for the texts the lexer produces. */
function parseFloat64(s: string): number {
  switch (s.toLowerCase()) {
    case "inf": case "+inf": case "infinity": case "+infinity":
      return Infinity;
    case "-inf": case "-infinity":
      return -Infinity;
    case "nan":
      return NaN;
  }
  let t = s;
  if (t.indexOf("_") >= 0) {
    if (!underscoreOK(t)) throw floatSyntaxError(s);
    t = t.replaceAll("_", "");
  }
  // Hexadecimal floats need a 'p' exponent, which PromQL's lexer never produces.
  if (!DEC_FLOAT.test(t)) throw floatSyntaxError(s);
  const v = Number(t);
  if (!Number.isFinite(v)) throw new LiteralError(`strconv.ParseFloat: parsing ${goQuote(s)}: value out of range`);
  return v;
}

/** The value of a NUMBER token, as Prometheus computes it: an int64 where the text is
 * one (so `010` is octal and `0x1f` hex), else a float64. */
export function parseNumberLiteral(text: string): number {
  const n = parseIntBase0(text);
  if (n !== null) return Number(n);
  return parseFloat64(text);
}

const UNIT_MS: ReadonlyMap<string, { ms: number; order: number }> = new Map([
  ["y", { ms: 365 * 24 * 3600_000, order: 1 }],
  ["w", { ms: 7 * 24 * 3600_000, order: 2 }],
  ["d", { ms: 24 * 3600_000, order: 3 }],
  ["h", { ms: 3600_000, order: 4 }],
  ["m", { ms: 60_000, order: 5 }],
  ["s", { ms: 1000, order: 6 }],
  ["ms", { ms: 1, order: 7 }],
]);
/** 2^63 nanoseconds (the range of Go's time.Duration) in milliseconds. */
const MAX_MS = 9223372036854.775808;

function invalidDuration(text: string): LiteralError {
  return new LiteralError(`not a valid duration string: ${goQuote(text)}`);
}

/** Prometheus' duration syntax (`1h30m`, `5m`, `90s`, `1y`), in milliseconds. Units must
 * go from the largest to the smallest, each at most once. */
export function parseDurationLiteral(text: string): number {
  if (text === "0") return 0;
  if (text === "") throw new LiteralError("empty duration string");
  let total = 0;
  let lastOrder = 0;
  let i = 0;
  while (i < text.length) {
    const digitsFrom = i;
    while (i < text.length && isDigitCode(text.charCodeAt(i))) i++;
    if (i === digitsFrom) throw invalidDuration(text);
    // strconv.ParseUint: at most 2^64-1.
    if (i - digitsFrom > 20 || (i - digitsFrom === 20 && text.slice(digitsFrom, i) > "18446744073709551615")) throw invalidDuration(text);
    const v = Number(text.slice(digitsFrom, i));
    const unitFrom = i;
    while (i < text.length && !isDigitCode(text.charCodeAt(i))) i++;
    if (i === unitFrom) throw invalidDuration(text);
    const u = text.slice(unitFrom, i);
    const unit = UNIT_MS.get(u);
    if (!unit) throw new LiteralError(`unknown unit ${goQuote(u)} in duration ${goQuote(text)}`);
    if (unit.order <= lastOrder) throw invalidDuration(text);
    lastOrder = unit.order;
    if (v > MAX_MS / unit.ms) throw new LiteralError("duration out of range");
    total += v * unit.ms;
    if (total >= MAX_MS) throw new LiteralError("duration out of range");
  }
  return total;
}

/** Whether a duration in seconds is beyond what a Go time.Duration holds. */
export function durationOutOfRange(seconds: number): boolean {
  return seconds > 9223372036.854775808 || seconds < -9223372036.854775808;
}

/** Go's math.Round: half away from zero. */
export function goRound(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** Seconds (as written in a query) to whole milliseconds, the way Prometheus turns them
 * into a time.Duration and the engine into milliseconds (truncating). */
export function secondsToMs(seconds: number): number {
  const ms = Math.trunc(goRound(seconds * 1e9) / 1e6);
  return ms === 0 ? 0 : ms; // no -0
}

/** strconv.FormatFloat(v, 'f', -1, 64): the shortest exact digits, never an exponent. */
export function formatFloat(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  if (v === 0) return Object.is(v, -0) ? "-0" : "0";
  const s = String(v);
  const e = s.indexOf("e");
  if (e < 0) return s;
  const neg = s[0] === "-";
  const mant = s.slice(neg ? 1 : 0, e);
  const exp = Number(s.slice(e + 1));
  const dot = mant.indexOf(".");
  const digits = dot < 0 ? mant : mant.slice(0, dot) + mant.slice(dot + 1);
  const intLen = (dot < 0 ? mant.length : dot) + exp;
  let out: string;
  if (intLen <= 0) out = `0.${"0".repeat(-intLen)}${digits}`;
  else if (intLen >= digits.length) out = digits + "0".repeat(intLen - digits.length);
  else out = `${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
  return neg ? `-${out}` : out;
}

/** Go's `%f` (six decimals), as used in some of Prometheus' error messages. */
export function formatFloatF(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  if (Math.abs(v) >= 1e21) return `${BigInt(v).toString()}.000000`;
  return v.toFixed(6);
}

/** A duration in milliseconds as Prometheus prints one (`1h30m`, `90d`, `2w`, `0s`). */
export const formatDurationMs = formatDuration;
