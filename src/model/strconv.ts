/** Go's strconv rules for numbers, shared by PromQL literals and functions and by
 * the template language: one implementation of what Go accepts. */

export type ParseFloatFailure = { error: "invalid syntax" | "value out of range" };
const INVALID: ParseFloatFailure = { error: "invalid syntax" };
const OUT_OF_RANGE: ParseFloatFailure = { error: "value out of range" };

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

/** strconv.ParseFloat(s, 64): decimal or hexadecimal (`p` exponent) floats, `_`
 * between digits, Inf/Infinity (any case, optional sign) and NaN; otherwise the
 * reason Go gives for refusing it. */
export function parseFloat64(s: string): number | ParseFloatFailure {
  const sp = special(s);
  if (sp !== null) return sp;
  if (s.includes("_") && !underscoreOK(s)) return INVALID;
  const clean = s.replaceAll("_", "");
  let v: number;
  if (DECIMAL.test(s)) {
    if (!/[0-9]/.test(clean.replace(/[eE].*$/, ""))) return INVALID;
    v = Number(clean);
  } else {
    const m = HEXFLOAT.exec(clean);
    if (!m || (m[2] === "" && (m[3] ?? "") === "")) return INVALID;
    v = hexFloat(m[2]!, m[3] ?? "", Number(m[4]));
    if (m[1] === "-") v = -v;
  }
  if (!Number.isFinite(v)) return OUT_OF_RANGE;
  return v;
}

/** parseFloat64, undefined where Go reports an error. */
export function parseGoFloat64(s: string): number | undefined {
  const v = parseFloat64(s);
  return typeof v === "number" ? v : undefined;
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
