/**
 * Go's strconv number parsing: ParseInt/ParseUint with base 0 (template number
 * literals) and ParseFloat (literals, and the strings humanize and friends accept),
 * with Go's errors: `strconv.ParseFloat: parsing "one": invalid syntax`.
 */
import { quote } from "./quote.js";

export class NumError extends Error {
  constructor(
    fn: string,
    num: string,
    readonly reason: "invalid syntax" | "value out of range",
  ) {
    super(`strconv.${fn}: parsing ${quote(num)}: ${reason}`);
  }
}

const MAX_UINT64 = (1n << 64n) - 1n;
const MAX_INT64 = (1n << 63n) - 1n;

function lower(c: string): string {
  return c.toLowerCase();
}

/** Underscores may only separate digits, or follow a base prefix. */
export function underscoreOK(s: string): boolean {
  let saw = "^";
  let i = 0;
  if (s.length >= 1 && (s[0] === "-" || s[0] === "+")) s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === "0" && "box".includes(lower(s[1]!))) {
    i = 2;
    saw = "0";
    hex = lower(s[1]!) === "x";
  }
  for (; i < s.length; i++) {
    const c = s[i]!;
    if ((c >= "0" && c <= "9") || (hex && lower(c) >= "a" && lower(c) <= "f")) {
      saw = "0";
      continue;
    }
    if (c === "_") {
      if (saw !== "0") return false;
      saw = "_";
      continue;
    }
    if (saw === "_") return false;
    saw = "!";
  }
  return saw !== "_";
}

/** strconv.ParseUint(s, 0, 64). */
export function parseUint0(s: string): bigint {
  const s0 = s;
  if (s === "") throw new NumError("ParseUint", s0, "invalid syntax");
  let base = 10n;
  if (s[0] === "0") {
    const p = s.length >= 3 ? lower(s[1]!) : "";
    if (p === "b") [base, s] = [2n, s.slice(2)];
    else if (p === "o") [base, s] = [8n, s.slice(2)];
    else if (p === "x") [base, s] = [16n, s.slice(2)];
    else [base, s] = [8n, s.slice(1)];
  }
  let n = 0n;
  let underscores = false;
  let overflow = false;
  for (const c of s) {
    if (c === "_") {
      underscores = true;
      continue;
    }
    const d = parseInt(c, 36);
    if (Number.isNaN(d) || c.length !== 1 || BigInt(d) >= base) throw new NumError("ParseUint", s0, "invalid syntax");
    n = n * base + BigInt(d);
    if (n > MAX_UINT64) overflow = true;
  }
  if (underscores && !underscoreOK(s0)) throw new NumError("ParseUint", s0, "invalid syntax");
  if (overflow) throw new NumError("ParseUint", s0, "value out of range");
  return n;
}

/** strconv.ParseInt(s, 0, 64). */
export function parseInt0(s: string): bigint {
  if (s === "") throw new NumError("ParseInt", s, "invalid syntax");
  let neg = false;
  let body = s;
  if (s[0] === "+" || s[0] === "-") {
    neg = s[0] === "-";
    body = s.slice(1);
  }
  let u: bigint;
  try {
    u = parseUint0(body);
  } catch (e) {
    throw new NumError("ParseInt", s, (e as NumError).reason);
  }
  if (!neg && u > MAX_INT64) throw new NumError("ParseInt", s, "value out of range");
  if (neg && u > MAX_INT64 + 1n) throw new NumError("ParseInt", s, "value out of range");
  return neg ? -u : u;
}

const DECIMAL = /^[+-]?(?:[0-9_]+(?:\.[0-9_]*)?|\.[0-9_]+)(?:[eE][+-]?[0-9_]+)?$/;
const HEXFLOAT = /^([+-]?)0[xX]([0-9a-fA-F_]*)(?:\.([0-9a-fA-F_]*))?[pP]([+-]?[0-9_]+)$/;

function special(s: string): number | null {
  let sign = 1;
  let body = s;
  if (s[0] === "+" || s[0] === "-") {
    sign = s[0] === "-" ? -1 : 1;
    body = s.slice(1);
    const l = body.toLowerCase();
    return l === "inf" || l === "infinity" ? sign * Infinity : null;
  }
  const l = body.toLowerCase();
  if (l === "inf" || l === "infinity") return Infinity;
  if (l === "nan") return NaN;
  return null;
}

/** strconv.ParseFloat(s, 64). */
export function parseFloat64(s: string): number {
  const sp = special(s);
  if (sp !== null) return sp;
  if (s.includes("_") && !underscoreOK(s)) throw new NumError("ParseFloat", s, "invalid syntax");
  const clean = s.replaceAll("_", "");
  let v: number;
  if (DECIMAL.test(s)) {
    if (!/[0-9]/.test(clean.replace(/[eE].*$/, ""))) throw new NumError("ParseFloat", s, "invalid syntax");
    v = Number(clean);
  } else {
    const m = HEXFLOAT.exec(clean);
    if (!m || (m[2] === "" && (m[3] ?? "") === "")) throw new NumError("ParseFloat", s, "invalid syntax");
    v = hexFloat(m[2]!, m[3] ?? "", Number(m[4]));
    if (m[1] === "-") v = -v;
  }
  if (!Number.isFinite(v)) throw new NumError("ParseFloat", s, "value out of range");
  return v;
}

function hexFloat(intPart: string, frac: string, exp: number): number {
  const digits = (intPart + frac).replace(/^0+/, "");
  if (digits === "") return 0;
  const mant = BigInt("0x" + digits);
  let e = exp - 4 * frac.length;
  // Keep 64 significant bits with a sticky bit so the final rounding is correct.
  let m = mant;
  const bits = m.toString(2).length;
  if (bits > 64) {
    const drop = BigInt(bits - 64);
    const sticky = (m & ((1n << drop) - 1n)) !== 0n ? 1n : 0n;
    m = (m >> drop) | sticky;
    e += Number(drop);
  }
  // Number(bigint) rounds to nearest even; scaling by a power of two is exact unless
  // the result is subnormal, where halving step by step keeps the rounding right.
  let v = Number(m);
  if (e >= 0) return v * 2 ** e;
  while (e < 0) {
    const step = Math.max(e, -1000);
    v *= 2 ** step;
    e -= step;
  }
  return v;
}

/** fmt.Sscan into a complex128, for template literals like 1+2i. */
export function parseComplex(s: string): { re: number; im: number } {
  const m = /^([+-]?[^+-]*?(?:[eEpP][+-][0-9_]+)?[^+-]*)([+-][^+-]*?(?:[eEpP][+-][0-9_]+)?[^+-]*)i$/.exec(s);
  if (!m) throw new NumError("ParseFloat", s, "invalid syntax");
  return { re: parseFloat64(m[1]!), im: parseFloat64(m[2]!) };
}
