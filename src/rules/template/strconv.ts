/**
 * Go's strconv number parsing: ParseInt/ParseUint with base 0 (template number
 * literals) and ParseFloat (literals, and the strings humanize and friends accept),
 * with Go's errors: `strconv.ParseFloat: parsing "one": invalid syntax`.
 */
import { parseFloat64 as goParseFloat64, underscoreOK } from "../../model/strconv.js";
import { quote } from "../../model/quote.js";

export { underscoreOK };

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



/** strconv.ParseUint(s, 0, 64). */
export function parseUint0(s: string): bigint {
  const s0 = s;
  if (s === "") throw new NumError("ParseUint", s0, "invalid syntax");
  let base = 10n;
  if (s[0] === "0") {
    const p = s.length >= 3 ? s[1]!.toLowerCase() : "";
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



/** strconv.ParseFloat(s, 64), throwing Go's error. */
export function parseFloat64(s: string): number {
  const v = goParseFloat64(s);
  if (typeof v !== "number") throw new NumError("ParseFloat", s, v.error);
  return v;
}


/** fmt.Sscan into a complex128, for template literals like 1+2i. */
export function parseComplex(s: string): { re: number; im: number } {
  const m = /^([+-]?[^+-]*?(?:[eEpP][+-][0-9_]+)?[^+-]*)([+-][^+-]*?(?:[eEpP][+-][0-9_]+)?[^+-]*)i$/.exec(s);
  if (!m) throw new NumError("ParseFloat", s, "invalid syntax");
  return { re: parseFloat64(m[1]!), im: parseFloat64(m[2]!) };
}
